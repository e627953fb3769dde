namespace IdentiGuard.Server.Api;

public static class ErrorHandling
{
    /// <summary>Problem details for every error, never a stack trace (also in Development, since customers run it).</summary>
    public static WebApplication UseIdentiGuardErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        return app;
    }
}
