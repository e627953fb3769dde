using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.Tokens;

/// <summary>Bearer-token and scope check for /api/v1/* endpoints.</summary>
internal static class BearerAuth
{
    /// <summary>Returns null when authorized (and records the client id), else the Okta error result.</summary>
    public static IResult? Check(HttpContext ctx, EmulatorState state, string requiredScope)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        IssuedToken? token = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = state.Tokens.Resolve(header[7..].Trim());
        var client = token is null ? null : state.FindClient(token.ClientId);
        if (token is null || client is null || client.Revoked)
        {
            ctx.Response.Headers.WWWAuthenticate =
                $"Bearer authorization_uri=\"{state.BaseUrl}/oauth2/v1/authorize\", realm=\"{state.BaseUrl}\", error=\"invalid_token\", error_description=\"The token is not valid.\", resource=\"{ctx.Request.Path}\"";
            return OktaJson.Error(401, "E0000011", "Invalid token provided");
        }

        ctx.Items[HttpItems.ClientId] = token.ClientId;
        if (OktaScopes.Satisfies(token.Scopes, requiredScope)) return null;

        ctx.Response.Headers.WWWAuthenticate =
            $"Bearer authorization_uri=\"{state.BaseUrl}/oauth2/v1/authorize\", realm=\"{state.BaseUrl}\", scope=\"{requiredScope}\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"{ctx.Request.Path}\"";
        return OktaJson.Error(403, "E0000006", "You do not have permission to perform the requested action");
    }
}
