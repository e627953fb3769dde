using System.Buffers.Text;
using System.Security.Cryptography;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Notifications;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentiGuard.Server.Notifications;

/// <summary>Destinations of the current workspace (the context's workspace filter applies), their delivery log and test sends.</summary>
public sealed class DestinationService(
    IDbContextFactory<IdentiGuardDbContext> dbFactory, NotificationSecrets secrets, NotificationSender sender, ActivityLog activity,
    IOptions<NotificationOptions> options, IOptions<IdentiGuardOptions> host, TimeProvider time)
{
    public async Task<IReadOnlyList<DestinationView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.NotificationDestinations.AsNoTracking().OrderBy(d => d.Name).ToListAsync(ct)).Select(DestinationView.From).ToList();
    }

    public async Task<DestinationView?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.NotificationDestinations.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) is { } d ? DestinationView.From(d) : null;
    }

    public async Task<DestinationResult> CreateAsync(Guid workspaceId, DestinationInput input, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var errors = await ValidateAsync(db, input, null, ct);
        if (errors.Count > 0) return new DestinationResult(Errors: errors);
        var now = time.GetUtcNow().UtcDateTime;
        var destination = new NotificationDestination { Id = Guid.NewGuid(), WorkspaceId = workspaceId, Name = input.Name!.Trim(), CreatedAt = now };
        string? generated = null;
        if (input.Kind == DestinationKind.Webhook && string.IsNullOrEmpty(input.SigningSecret))
            generated = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        Apply(destination, input, generated, actor, now);
        db.NotificationDestinations.Add(destination);
        db.Activity.Add(activity.Entry(workspaceId, null, "notification.destination.created", ActivityOutcome.Success,
            $"Notification destination \"{destination.Name}\" ({destination.Kind}) created.", actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return new DestinationResult(Created: new DestinationCreated(DestinationView.From(destination), generated));
    }

    public async Task<DestinationResult> UpdateAsync(Guid id, DestinationInput input, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var destination = await db.NotificationDestinations.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (destination is null) return new DestinationResult(NotFound: true);
        var errors = await ValidateAsync(db, input, destination, ct);
        if (errors.Count > 0) return new DestinationResult(Errors: errors);
        var now = time.GetUtcNow().UtcDateTime;
        if (destination.Kind != input.Kind)
        {
            // Secrets of another kind mean something else (a Slack URL is no routing key): drop them.
            destination.TargetProtected = null;
            destination.TargetHint = null;
            destination.SigningSecretProtected = null;
        }
        Apply(destination, input, null, actor, now);
        db.Activity.Add(activity.Entry(destination.WorkspaceId, null, "notification.destination.updated", ActivityOutcome.Success,
            $"Notification destination \"{destination.Name}\" ({destination.Kind}) updated.", actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return new DestinationResult(Updated: DestinationView.From(destination));
    }

    public async Task<bool> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var destination = await db.NotificationDestinations.FirstOrDefaultAsync(d => d.Id == id, ct);
        if (destination is null) return false;
        db.NotificationDestinations.Remove(destination);
        db.Activity.Add(activity.Entry(destination.WorkspaceId, null, "notification.destination.deleted", ActivityOutcome.Success,
            $"Notification destination \"{destination.Name}\" ({destination.Kind}) deleted with its delivery log.", actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<DeliveryView>?> DeliveriesAsync(Guid destinationId, int take, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.NotificationDestinations.AnyAsync(d => d.Id == destinationId, ct)) return null;
        return await db.NotificationDeliveries.AsNoTracking().Where(d => d.DestinationId == destinationId)
            .OrderByDescending(d => d.Id).Take(Math.Clamp(take, 1, 500))
            .Select(d => new DeliveryView(d.Id, d.DestinationId, d.AlertId, d.IsTest, d.Status, d.Attempts, d.CreatedAt, d.LastAttemptAt,
                d.NextAttemptAt, d.DeliveredAt, d.LastHttpStatus, d.LastError))
            .ToListAsync(ct);
    }

    /// <summary>"Send test notification": one attempt now, recorded in the delivery log (a test is not retried).</summary>
    public async Task<DeliveryView?> SendTestAsync(Guid destinationId, string actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var destination = await db.NotificationDestinations.AsNoTracking().FirstOrDefaultAsync(d => d.Id == destinationId, ct);
        if (destination is null) return null;
        var now = time.GetUtcNow().UtcDateTime;
        var delivery = new NotificationDelivery
        {
            WorkspaceId = destination.WorkspaceId, DestinationId = destination.Id, IsTest = true, Status = DeliveryStatus.Pending,
            CreatedAt = now, NextAttemptAt = now,
        };
        db.NotificationDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);

        var outcome = await sender.SendAsync(destination, NotificationMessage.Test(destination.WorkspaceId, host.Value.PublicBaseUrl, now), delivery.Id, ct);
        var done = time.GetUtcNow().UtcDateTime;
        delivery.Attempts = 1;
        delivery.LastAttemptAt = done;
        delivery.LastHttpStatus = outcome.HttpStatus;
        delivery.LastError = Truncate(outcome.Error);
        delivery.Status = outcome.Success ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
        delivery.DeliveredAt = outcome.Success ? done : null;
        db.Activity.Add(activity.Entry(destination.WorkspaceId, null, "notification.test",
            outcome.Success ? ActivityOutcome.Success : ActivityOutcome.Failure,
            outcome.Success ? $"Test notification delivered to \"{destination.Name}\"." : $"Test notification to \"{destination.Name}\" failed: {outcome.Error}",
            actor, null, null, null));
        await db.SaveChangesAsync(ct);
        return new DeliveryView(delivery.Id, delivery.DestinationId, null, true, delivery.Status, delivery.Attempts, delivery.CreatedAt,
            delivery.LastAttemptAt, delivery.NextAttemptAt, delivery.DeliveredAt, delivery.LastHttpStatus, delivery.LastError);
    }

    private async Task<Dictionary<string, string[]>> ValidateAsync(IdentiGuardDbContext db, DestinationInput input, NotificationDestination? existing, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        DestinationRules.Validate(input, existing, options.Value.AllowInsecureLoopback, errors);
        if (input.TenantIds is { Count: > 0 } tenantIds)
        {
            var known = await db.Tenants.Where(t => tenantIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(ct);
            if (tenantIds.Except(known).Any()) errors["tenantIds"] = ["One of the tenants does not exist in this workspace."];
        }
        return errors;
    }

    private void Apply(NotificationDestination d, DestinationInput input, string? generatedSecret, string actor, DateTime now)
    {
        d.Name = input.Name!.Trim();
        d.Kind = input.Kind;
        d.Enabled = input.Enabled;
        d.Format = input.Format;
        d.MinSeverity = input.MinSeverity;
        d.TenantIds = input.TenantIds?.Distinct().ToList() ?? [];
        d.RuleIds = input.RuleIds?.Select(r => r.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? [];
        d.EmailRecipients = input.Kind == DestinationKind.Email ? string.Join(", ", DestinationRules.Recipients(input.EmailRecipients)) : null;
        var target = DestinationRules.NeedsUrl(input.Kind) ? input.Url : input.Kind == DestinationKind.PagerDuty ? input.RoutingKey : null;
        if (!string.IsNullOrWhiteSpace(target))
        {
            d.TargetProtected = secrets.Protect(target.Trim());
            d.TargetHint = DestinationRules.Hint(input.Kind, target.Trim());
        }
        if (input.Kind == DestinationKind.Email) (d.TargetProtected, d.TargetHint) = (null, null);
        var signing = generatedSecret ?? (string.IsNullOrEmpty(input.SigningSecret) ? null : input.SigningSecret);
        if (input.Kind == DestinationKind.Webhook && signing is not null) d.SigningSecretProtected = secrets.Protect(signing);
        if (input.Kind != DestinationKind.Webhook) d.SigningSecretProtected = null;
        d.UpdatedAt = now;
        d.UpdatedBy = actor;
    }

    internal static string? Truncate(string? text) => text is { Length: > 1000 } ? text[..1000] : text;
}
