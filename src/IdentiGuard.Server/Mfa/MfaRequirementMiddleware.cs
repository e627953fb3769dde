namespace IdentiGuard.Server.Mfa;

/// <summary>
/// Enforces <see cref="WorkspaceMfaPolicy"/> on every HTTP request into a workspace: pages redirect to enrolment, the
/// API answers 403 with a problem that says where to enrol. (Navigation inside the interactive UI is checked by
/// <see cref="Components.Shared.WorkspacePage"/>, which asks the same policy.)
/// </summary>
internal static class MfaRequirementMiddleware
{
    public static IApplicationBuilder UseWorkspaceMfaRequirement(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true && WorkspaceMfaPolicy.Addressed(context.Request.Path) is { } target)
        {
            var policy = context.RequestServices.GetRequiredService<WorkspaceMfaPolicy>();
            if (!await policy.AllowsAsync(context.User, target.WorkspaceId, context.RequestAborted))
            {
                var returnUrl = context.Request.Path + context.Request.QueryString;
                if (!target.IsApi)
                {
                    context.Response.Redirect(WorkspaceMfaPolicy.EnrolmentPath(returnUrl));
                    return;
                }
                await Results.Problem(
                    title: "Two-factor authentication required",
                    detail: $"This workspace requires two-factor authentication. Set it up at {WorkspaceMfaPolicy.EnrolmentPath("/")} and sign in again with it, or use a personal API token.",
                    statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
                return;
            }
        }
        await next();
    });
}
