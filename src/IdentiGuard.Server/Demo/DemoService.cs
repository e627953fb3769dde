using System.Security.Cryptography;
using IdentiGuard.Data;
using IdentiGuard.Data.Activity;
using IdentiGuard.Data.Tenants;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.OktaEmulator;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Storage;
using IdentiGuard.Server.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using EmulatedOkta = IdentiGuard.OktaEmulator.OktaEmulator;

namespace IdentiGuard.Server.Demo;

/// <summary>
/// Demo mode: starts an emulated Okta org on its own loopback port, connects a demo tenant to it through the same
/// <see cref="TenantService"/> path an administrator takes (token request, event hook creation, verification), then plays
/// the scenario through the org's real delivery and System Log paths, and again on every replay request.
/// </summary>
internal sealed partial class DemoService(
    IServiceProvider services, IOptions<DemoOptions> options, IHostApplicationLifetime lifetime, DemoState state, DemoPlayer player,
    ILogger<DemoService> logger) : BackgroundService
{
    public const string TenantName = "Acme (emulated Okta org)";

    private EmulatedOkta? okta;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        try
        {
            state.Set(DemoStage.Starting, "Starting the emulated Okta org.");
            var scenario = DemoScenario.Load(DemoScenario.Resolve(options.Value.Scenario));
            state.ScenarioTitle = scenario.Title;
            // Okta calls the hook back during setup, so the host must be listening first.
            await lifetime.WaitForStartAsync(stoppingToken);

            okta = await EmulatedOkta.StartAsync(new OktaEmulatorOptions
            {
                Url = options.Value.OktaUrl, LoopbackTestMode = true, SeedClientId = "0oaIdentiGuardDemo01",
                // Okta's secrets are URL-safe; IdentiGuard's token request sends the secret without form-encoding it.
                SeedClientSecret = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 40),
            }, stoppingToken);
            state.OktaUrl = okta.BaseUrl;
            Started(logger, okta.BaseUrl);
            var population = DemoPopulation.Create(scenario, (login, first, last) => (okta.FindUser(login) ?? okta.AddUser(login, first, last)).Id);

            var (workspaceId, owner) = await EnsureWorkspaceAsync(stoppingToken);
            state.WorkspaceId = workspaceId;
            state.Set(DemoStage.Connecting, "Connecting the demo tenant: token request, event hook creation, verification.");
            var tenant = await ConnectTenantAsync(workspaceId, owner, stoppingToken);
            state.TenantId = tenant.Id;
            if (tenant.Status != TenantStatus.Connected)
            {
                state.Set(DemoStage.Failed, $"The demo tenant did not connect: {TenantService.StatusLabel(tenant.Status)}. {tenant.StatusDetail}");
                NotConnected(logger, tenant.Status, tenant.StatusDetail);
                return;
            }
            Ready(logger, scenario.Title, options.Value.Speed);

            var actor = owner;
            while (!stoppingToken.IsCancellationRequested)
            {
                await PlayOnceAsync(scenario, population, workspaceId, tenant.Id, actor, stoppingToken);
                actor = await state.ReplayRequests.ReadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or HttpRequestException or InvalidOperationException)
        {
            state.Set(DemoStage.Failed, e.Message);
            Failed(logger, e);
        }
    }

    private async Task PlayOnceAsync(DemoScenario scenario, DemoPopulation population, Guid workspaceId, Guid tenantId, string actor, CancellationToken ct)
    {
        var timeline = DemoTimeline.Build(scenario, population);
        state.StartRun(timeline.Count);
        await WriteActivityAsync(workspaceId, tenantId, "demo.scenario.started",
            $"Demo scenario \"{scenario.Title}\" run {state.Runs} started at speed {options.Value.Speed}: {timeline.Count} events, attacks {string.Join(", ", scenario.Attacks.Select(a => a.Id))}.",
            actor, ct);
        await player.PlayAsync(timeline, options.Value.Speed, (e, token) => okta!.EmitAsync(e, token),
            (emitted, attack) =>
            {
                state.Progress(emitted, attack);
                if (attack is not null) AttackStarted(logger, attack);
            }, ct);
        state.Set(DemoStage.Finished, $"Run {state.Runs} finished: {timeline.Count} events sent.");
        Finished(logger, state.Runs, timeline.Count);
    }

    /// <summary>The owner's demo workspace: the one marked as demo, else the (empty) bootstrap workspace of that name, else a new one.</summary>
    private async Task<(Guid WorkspaceId, string Owner)> EnsureWorkspaceAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        var owner = await db.Users.AsNoTracking().Where(u => u.IsInstanceOwner).OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(ct);
        while (owner is null)
        {
            // Demo mode without bootstrap settings: the setup page creates the owner.
            state.Set(DemoStage.Starting, "Waiting for the first account: open IdentiGuard and complete the setup page.");
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            owner = await db.Users.AsNoTracking().Where(u => u.IsInstanceOwner).OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(ct);
        }

        var memberOf = db.WorkspaceMembers.IgnoreQueryFilters().Where(m => m.UserId == owner.Id).Select(m => m.WorkspaceId);
        var workspace = await db.Workspaces.Where(w => w.IsDemo && memberOf.Contains(w.Id)).FirstOrDefaultAsync(ct)
            ?? await db.Workspaces.Where(w => w.Name == options.Value.WorkspaceName && memberOf.Contains(w.Id)
                && !db.Tenants.IgnoreQueryFilters().Any(t => t.WorkspaceId == w.Id)).FirstOrDefaultAsync(ct);
        var now = DateTime.UtcNow;
        if (workspace is null)
        {
            workspace = new Workspace { Id = Guid.NewGuid(), Name = options.Value.WorkspaceName, CreatedAt = now };
            db.Workspaces.Add(workspace);
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = owner.Id, Role = WorkspaceRole.Owner, AddedAt = now });
        }
        workspace.IsDemo = true;
        await db.SaveChangesAsync(ct);
        return (workspace.Id, owner.Email ?? owner.UserName ?? "demo");
    }

    /// <summary>Adds the tenant exactly as the Tenants page does: the emulated org's Client ID, Client Secret and domain, Select All.</summary>
    private async Task<TenantView> ConnectTenantAsync(Guid workspaceId, string owner, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
        var tenants = scope.ServiceProvider.GetRequiredService<TenantService>();
        var existing = (await tenants.ListAsync(ct)).FirstOrDefault(t => t.DomainUrl == okta!.BaseUrl);
        if (existing is not null) return existing;
        var result = await tenants.CreateAsync(workspaceId, new TenantInput(TenantName, okta!.BaseUrl, okta.SeedClient.ClientId, okta.SeedClient.ClientSecret, null), owner, ct);
        return result.Tenant ?? throw new InvalidOperationException("The demo tenant was refused: " + string.Join(" ", result.Errors?.SelectMany(e => e.Value) ?? []));
    }

    private async Task WriteActivityAsync(Guid workspaceId, Guid tenantId, string action, string message, string actor, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ActivityLog>().WriteAsync(workspaceId, tenantId, action, ActivityOutcome.Success, message, actor, ct: ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The host may stop a service more than once (an explicit stop, then disposal): the emulator goes once.
        if (Interlocked.Exchange(ref okta, null) is { } emulator) await emulator.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: emulated Okta org listening at {OktaUrl}")]
    private static partial void Started(ILogger logger, string oktaUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo: the demo tenant did not connect ({Status}): {Detail}")]
    private static partial void NotConnected(ILogger logger, TenantStatus status, string? detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: tenant connected; playing \"{Scenario}\" at speed {Speed}")]
    private static partial void Ready(ILogger logger, string scenario, double speed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: attack {Attack} started")]
    private static partial void AttackStarted(ILogger logger, string attack);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo: run {Run} finished ({Count} events); replay it from the banner of the demo workspace")]
    private static partial void Finished(ILogger logger, int run, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo mode stopped")]
    private static partial void Failed(ILogger logger, Exception exception);
}
