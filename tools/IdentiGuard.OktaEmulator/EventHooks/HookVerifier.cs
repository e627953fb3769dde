using System.Text.Json;
using System.Text.Json.Nodes;
using IdentiGuard.OktaEmulator.Delivery;
using IdentiGuard.OktaEmulator.Infrastructure;

namespace IdentiGuard.OktaEmulator.EventHooks;

/// <summary>One-time GET with x-okta-verification-challenge; 2xx JSON {"verification": challenge} required; one retry on timeout/error.</summary>
internal sealed class HookVerifier(EmulatorState state, HookSender sender)
{
    public const string ChallengeHeader = "x-okta-verification-challenge";

    /// <summary>Returns null on success, else the failure reason.</summary>
    public async Task<string?> VerifyAsync(string hookId, HookChannel channel, CancellationToken ct)
    {
        var challenge = Ids.RandomUrlSafe(40);
        string? failure = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var outcome = await sender.SendAsync(HttpMethod.Get, channel, null,
                [new KeyValuePair<string, string>(ChallengeHeader, challenge)], state.Options.DeliveryTimeout, ct);
            failure = Evaluate(outcome, challenge, out var retryable);
            state.Deliveries.Enqueue(new DeliveryAttempt(hookId, DeliveryKind.Verification, attempt, outcome.StatusCode,
                failure, outcome.Duration, [], null, state.Time.GetUtcNow()));
            if (failure is null || !retryable) break;
        }
        return failure;
    }

    private static string? Evaluate(SendOutcome outcome, string challenge, out bool retryable)
    {
        retryable = true;
        if (outcome.TimedOut) return "Verification request timed out (no response within 3 seconds)";
        if (outcome.Error is not null) return "Verification request failed: " + outcome.Error;
        if (outcome.StatusCode is not (>= 200 and < 300))
            return $"Verification request returned HTTP {outcome.StatusCode}; expected 200 with the verification value";
        retryable = false;
        try
        {
            var node = JsonNode.Parse(outcome.ResponseBody ?? "");
            var value = node is JsonObject o && o["verification"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
                ? v.GetValue<string>()
                : null;
            if (value is null) return "Verification response body has no \"verification\" value";
            return value == challenge ? null : "Verification response value did not match the challenge";
        }
        catch (JsonException)
        {
            return "Verification response body is not JSON";
        }
    }
}
