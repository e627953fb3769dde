using System.Security.Cryptography;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Support;
using IdentiGuard.Server.Activity;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Support;

public sealed record SupportInput(string? Subject, string? Description, string? OktaRequestIds, string? ContactEmail, Guid? TenantId, bool AttachDiagnostics);

public sealed record SupportTicket(Guid Id, string Reference, string WorkspaceName, string Subject, string Description, string? OktaRequestIds,
    string ContactEmail, Guid? TenantId, string? Diagnostics, DateTime CreatedAt, string DeliveryStatus);

public sealed record SupportResult(SupportTicket? Ticket, IReadOnlyDictionary<string, string[]>? Errors);

/// <summary>The "Need more help?" support form: keeps a copy, sends it to the support destination when configured.</summary>
public sealed class SupportService(IDbContextFactory<IdentiGuardDbContext> dbFactory, DiagnosticSummary diagnostics, SupportMailer mailer, ActivityLog activity, TimeProvider time)
{
    public async Task<SupportResult> SubmitAsync(Guid workspaceId, string workspaceName, Guid userId, string actor, SupportInput input, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Subject) || input.Subject.Length > 200) errors["subject"] = ["Enter a subject of at most 200 characters."];
        if (string.IsNullOrWhiteSpace(input.Description) || input.Description.Length > 10_000) errors["description"] = ["Describe the problem in at most 10,000 characters."];
        if (string.IsNullOrWhiteSpace(input.ContactEmail) || !input.ContactEmail.Contains('@') || input.ContactEmail.Length > 254) errors["contactEmail"] = ["Enter the e-mail address we should answer."];
        if (input.OktaRequestIds is { Length: > 2000 }) errors["oktaRequestIds"] = ["List at most 2,000 characters of request ids."];
        string? summary = null;
        if (input.AttachDiagnostics && input.TenantId is { } tenantId && (summary = await diagnostics.BuildAsync(tenantId, ct)) is null)
            errors["tenantId"] = ["Choose a tenant of this workspace for the diagnostic summary."];
        if (errors.Count > 0) return new SupportResult(null, errors);

        var request = new SupportRequest
        {
            Id = Guid.NewGuid(), WorkspaceId = workspaceId, Reference = NewReference(), WorkspaceName = workspaceName,
            Subject = input.Subject!.Trim(), Description = DiagnosticSummary.Redact(input.Description!.Trim()), OktaRequestIds = input.OktaRequestIds?.Trim(),
            ContactEmail = input.ContactEmail!.Trim(), TenantId = input.TenantId, Diagnostics = summary, CreatedByUserId = userId,
            CreatedAt = time.GetUtcNow().UtcDateTime, DeliveryStatus = "Saved",
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.SupportRequests.Add(request);
        await db.SaveChangesAsync(ct);

        request.DeliveryStatus = await mailer.SendAsync(request, ct);
        await db.SaveChangesAsync(ct);
        await activity.WriteAsync(workspaceId, input.TenantId, "support.request", ActivityOutcome.Info,
            $"Support request {request.Reference} \"{request.Subject}\" submitted ({request.DeliveryStatus}).", actor, ct: ct);
        return new SupportResult(Ticket(request), null);
    }

    public async Task<IReadOnlyList<SupportTicket>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SupportRequests.AsNoTracking().OrderByDescending(s => s.CreatedAt).Take(200).ToListAsync(ct);
        return rows.Select(Ticket).ToList();
    }

    /// <summary>Every workspace's requests, for the instance owners.</summary>
    public async Task<IReadOnlyList<SupportTicket>> ListAllAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SupportRequests.IgnoreQueryFilters().AsNoTracking().OrderByDescending(s => s.CreatedAt).Take(500).ToListAsync(ct);
        return rows.Select(Ticket).ToList();
    }

    private static SupportTicket Ticket(SupportRequest r) => new(r.Id, r.Reference, r.WorkspaceName, r.Subject, r.Description, r.OktaRequestIds, r.ContactEmail,
        r.TenantId, r.Diagnostics, r.CreatedAt, r.DeliveryStatus);

    private string NewReference()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var suffix = string.Concat(Enumerable.Range(0, 6).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]));
        return $"IG-{time.GetUtcNow():yyyyMMdd}-{suffix}";
    }
}
