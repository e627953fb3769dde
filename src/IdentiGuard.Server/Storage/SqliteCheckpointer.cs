using IdentiGuard.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Storage;

/// <summary>
/// Copies SQLite's write-ahead log into the database file in the background. SQLite's own automatic checkpoint runs
/// inside whichever commit crosses the log's threshold, so under hook load a delivery's acknowledgement waited for it;
/// a passive checkpoint needs no write lock, and commits go on beside it. The automatic checkpoint stays, at a far
/// higher threshold (<see cref="SqliteDurabilityInterceptor"/>), in case this one falls behind.
/// </summary>
internal sealed partial class SqliteCheckpointer(IServiceScopeFactory scopes, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
                await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The automatic checkpoint still bounds the log; the next tick tries again.
                CheckpointFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A background WAL checkpoint failed; retrying on the next tick")]
    private static partial void CheckpointFailed(ILogger logger, Exception ex);
}
