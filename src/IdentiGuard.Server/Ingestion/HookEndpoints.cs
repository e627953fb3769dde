using System.Buffers;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Ingestion;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Ingestion;

/// <summary>
/// <c>/hooks/okta/{tenantId}</c>: Okta's one-time verification GET and its event deliveries. A delivery is acknowledged
/// (200) only once its events are durably stored (in a group commit shared with concurrent deliveries, see
/// <see cref="HookCommitWriter"/>); processing happens afterwards in the tenant's grain. Every refusal of the delivery
/// itself is a 4xx (Okta does not retry those), stores nothing, and is recorded in the tenant's activity log; when
/// IdentiGuard cannot store it now (queue full, database failing) the answer is 503, which Okta retries.
/// </summary>
public static partial class HookEndpoints
{
    public const string VerificationHeader = "x-okta-verification-challenge";

    public static void MapHookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/hooks/okta").ExcludeFromDescription().AllowAnonymous().DisableAntiforgery();
        hooks.MapGet("/{tenantId:guid}", VerifyAsync);
        hooks.MapPost("/{tenantId:guid}", DeliverAsync);
    }

    private static async Task<IResult> VerifyAsync(Guid tenantId, HttpContext http, HookTenants tenants, ActivityLog activity, CancellationToken ct)
    {
        var challenge = http.Request.Headers[VerificationHeader].ToString();
        if (challenge.Length == 0)
            return TypedResults.Problem("This is an Okta event hook endpoint; Okta's verification request carries the x-okta-verification-challenge header.", statusCode: 400);
        var tenant = await tenants.FindAsync(tenantId, ct);
        if (tenant is null) return TypedResults.NotFound();
        // The auth header is not required here: Okta does not document sending it on the verification GET.
        await activity.WriteAsync(tenant.WorkspaceId, tenant.TenantId, "hook.verification", ActivityOutcome.Success,
            "Answered Okta's event hook verification challenge.", actor: "Okta", actorIp: http.Connection.RemoteIpAddress?.ToString(), ct: ct);
        return TypedResults.Json(new { verification = challenge });
    }

    private static async Task<IResult> DeliverAsync(Guid tenantId, HttpContext http, HookTenants tenants, HookDeliveryQueue queue, ActivityLog activity,
        IdentiGuardMetrics metrics, IOptions<IdentiGuardOptions> options, TimeProvider time, ILogger<HookTenants> logger, CancellationToken ct)
    {
        var remoteIp = http.Connection.RemoteIpAddress?.ToString();
        var tenant = await tenants.FindAsync(tenantId, ct);
        if (tenant is null)
        {
            UnknownTenant(logger, tenantId, remoteIp);
            metrics.DeliveryRefused("unknown_tenant");
            return TypedResults.Problem("No IdentiGuard tenant has this event hook URI. Remove the hook in Okta or re-add the tenant.", statusCode: 404);
        }

        async Task<IResult> Reject(int status, string reason, string metric)
        {
            metrics.DeliveryRefused(metric);
            await activity.WriteAsync(tenant.WorkspaceId, tenant.TenantId, "hook.delivery.rejected", ActivityOutcome.Failure,
                $"Refused an event hook delivery ({status}): {reason}", actor: "Okta", actorIp: remoteIp, ct: ct);
            return TypedResults.Problem(reason, statusCode: status);
        }

        if (!HookTenants.IsAuthorized(tenant, http.Request.Headers.Authorization.ToString()))
            return await Reject(401, "the Authorization header does not carry this tenant's event hook secret.", "unauthorized");

        var limit = options.Value.MaxHookBodyBytes;
        if (http.Request.ContentLength > limit) return await Reject(413, $"the body is {http.Request.ContentLength} bytes; the limit is {limit}.", "too_large");
        byte[]? body;
        try
        {
            body = await ReadBodyAsync(http, limit, ct);
        }
        catch (BadHttpRequestException ex)
        {
            // A broken chunked encoding or a body shorter than its Content-Length: the client's fault, never a 5xx.
            return await Reject(ex.StatusCode, $"the request body could not be read ({ex.Message})", "unreadable");
        }
        if (body is null) return await Reject(413, $"the body exceeds the limit of {limit} bytes.", "too_large");

        ParsedDelivery delivery;
        try
        {
            delivery = OktaEventParser.ParseDelivery(body, time.GetUtcNow().UtcDateTime);
        }
        catch (FormatException ex)
        {
            return await Reject(400, ex.Message, "malformed");
        }

        // Everything above ran on this request's thread; the single writer only stores (many deliveries per commit).
        var pending = queue.TryEnqueue(new StoreRequest(tenant.WorkspaceId, tenant.TenantId, delivery.Events, EventSource.Hook, result => activity.Entry(
            tenant.WorkspaceId, tenant.TenantId, "hook.delivery.accepted", ActivityOutcome.Success,
            $"Accepted an event hook delivery{(delivery.DeliveryId is null ? "" : $" {delivery.DeliveryId}")}: {result.Stored} new event(s), {result.Duplicates} duplicate(s).",
            "Okta", remoteIp, null, null)));
        if (pending is null)
        {
            // 5xx, not 429: Okta retries a 5xx (once) but never a 4xx.
            queue.RecordOverload(tenant.WorkspaceId, tenant.TenantId);
            metrics.DeliveryRefused("overloaded");
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem("IdentiGuard is receiving more events than it can store right now; retry later.", statusCode: 503);
        }
        try
        {
            // Not cancelled with the request: once queued, the delivery is stored whether or not Okta still waits.
            await pending.Durable;
        }
        catch (Exception)
        {
            // Logged by the committer. Never acknowledged: Okta retries, and the poller fetches the events anyway.
            metrics.DeliveryRefused("storage_failed");
            return TypedResults.Problem("IdentiGuard could not store the events; retry later.", statusCode: 503);
        }
        metrics.DeliveryAccepted();
        return TypedResults.Ok();
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is larger (chunked bodies have no Content-Length).</summary>
    /// <remarks>
    /// Okta states the length, so the body goes straight into one array of that size; Kestrel ends the body there.
    /// Only a chunked body is gathered through a pooled buffer.
    /// </remarks>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, long limit, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit + 1;
        try
        {
            if (http.Request.ContentLength is { } length)
            {
                var body = new byte[length];
                await http.Request.Body.ReadExactlyAsync(body, ct);
                return body;
            }
            return await ReadChunkedAsync(http.Request.Body, limit, ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        catch (EndOfStreamException)
        {
            throw new BadHttpRequestException("the body ended before its Content-Length", StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<byte[]?> ReadChunkedAsync(Stream body, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit) return null;
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an event hook delivery for unknown tenant {TenantId} from {RemoteIp}")]
    private static partial void UnknownTenant(ILogger logger, Guid tenantId, string? remoteIp);
}
