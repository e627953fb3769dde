namespace IdentiGuard.Server.Api;

public static class ErrorHandling
{
    /// <summary>Problem details for every error, never a stack trace (also in Development, since customers run it).</summary>
    public static WebApplication UseIdentiGuardErrorHandling(this WebApplication app)
    {
        // A request Kestrel cannot read (malformed chunks, a body shorter than announced, too large) is the client's
        // error: its own 4xx, not a 500, wherever it surfaces.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        return app;
    }
}
