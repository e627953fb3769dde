using System.Globalization;

namespace IdentiGuard.Server.Demo;

/// <summary>
/// Plays a timeline in real time divided by the speed factor. Each event is stamped when it is sent (published = now,
/// a new uuid), as Okta stamps its System Log, then handed to the emulated org, which stores it in its System Log and
/// delivers it to the subscribed event hooks.
/// </summary>
public sealed class DemoPlayer(TimeProvider time)
{
    public async Task PlayAsync(IReadOnlyList<DemoEvent> timeline, double speed, Func<System.Text.Json.Nodes.JsonObject, CancellationToken, Task> emit,
        Action<int, string?> progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(speed);
        var started = time.GetTimestamp();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < timeline.Count; i++)
        {
            var next = timeline[i];
            var wait = next.At / speed - time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, ct);

            var e = next.Event.DeepClone().AsObject();
            e["published"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            e["uuid"] = Guid.NewGuid().ToString();
            await emit(e, ct);
            progress(i + 1, next.Phase != DemoTimeline.WorkdayPhase && seen.Add(next.Phase) ? next.Phase : null);
        }
    }
}
