using System.Threading.Channels;

namespace IdentiGuard.Server.Demo;

public enum DemoStage { Off, Starting, Connecting, Playing, Finished, Failed }

/// <summary>What the demo is doing, for the banner on demo workspaces; replay requests go to <see cref="DemoService"/>.</summary>
public sealed class DemoState
{
    private readonly Channel<string> replays = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public DemoStage Stage { get; private set; } = DemoStage.Off;
    public string? Detail { get; private set; }
    public string? ScenarioTitle { get; internal set; }
    public Guid? WorkspaceId { get; internal set; }
    public Guid? TenantId { get; internal set; }
    public string? OktaUrl { get; internal set; }
    public int Emitted { get; private set; }
    public int Total { get; private set; }
    /// <summary>Attack ids already played in the current run.</summary>
    public IReadOnlyList<string> AttacksPlayed { get; private set; } = [];
    public int Runs { get; private set; }

    public bool CanReplay => Stage is DemoStage.Finished or DemoStage.Playing;

    /// <summary>Raised on every change (from background threads: components marshal with InvokeAsync).</summary>
    public event Action? Changed;

    internal ChannelReader<string> ReplayRequests => replays.Reader;

    /// <summary>Queues one more run of the scenario (ignored while one is already queued).</summary>
    public bool RequestReplay(string actor) => CanReplay && replays.Writer.TryWrite(actor);

    internal void Set(DemoStage stage, string? detail = null)
    {
        Stage = stage;
        Detail = detail;
        Changed?.Invoke();
    }

    internal void StartRun(int total)
    {
        Runs++;
        Emitted = 0;
        Total = total;
        AttacksPlayed = [];
        Set(DemoStage.Playing, $"Run {Runs}: playing.");
    }

    internal void Progress(int emitted, string? attackStarted)
    {
        Emitted = emitted;
        if (attackStarted is not null && !AttacksPlayed.Contains(attackStarted)) AttacksPlayed = [.. AttacksPlayed, attackStarted];
        // Every event would re-render every banner: report attacks at once, the rest every 50 events.
        if (attackStarted is not null || emitted % 50 == 0 || emitted == Total) Changed?.Invoke();
    }
}
