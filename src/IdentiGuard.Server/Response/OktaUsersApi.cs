using System.Net.Http.Headers;
using IdentiGuard.Data.Response;
using IdentiGuard.Server.Okta;

namespace IdentiGuard.Server.Response;

/// <summary>Okta's user lifecycle and session APIs (spec §9), all under <c>okta.users.manage</c>.</summary>
public sealed class OktaUsersApi(OktaHttp http, OktaTokenClient tokens)
{
    /// <summary>Okta did not grant <c>okta.users.manage</c>; nothing was sent to the users API.</summary>
    public sealed class MissingScopeException() : Exception($"The token lacks {OktaScopes.UsersManage}.");

    /// <summary>Runs the action; returns Okta's HTTP status and <c>X-Okta-Request-Id</c>.</summary>
    /// <exception cref="MissingScopeException">The integration was not granted <c>okta.users.manage</c>.</exception>
    /// <exception cref="OktaApiException">Okta refused (wrong status E0000001, unknown user E0000007, scope 403…).</exception>
    /// <exception cref="OktaUnreachableException">Okta could not be reached.</exception>
    public async Task<(int Status, string? RequestId)> ExecuteAsync(OktaSession session, ResponseKind kind, string user, CancellationToken ct)
    {
        var token = await tokens.GetTokenAsync(session, ct);
        // Checked before the call so a missing grant changes nothing and says exactly what to fix.
        if (!OktaScopes.IsGranted(session.GrantedScopes, OktaScopes.UsersManage)) throw new MissingScopeException();
        var (method, path) = ResponseCatalog.Request(kind, user);
        using var request = new HttpRequestMessage(method, session.Credentials.Domain + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (method == HttpMethod.Post) request.Content = new StringContent("", System.Text.Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(session, request, ct);
        var requestId = response.Headers.TryGetValues("X-Okta-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        return ((int)response.StatusCode, requestId);
    }
}
