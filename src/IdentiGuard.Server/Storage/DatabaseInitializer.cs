using IdentiGuard.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Storage;

/// <summary>Applies pending migrations before anything else starts (registered first among hosted services).</summary>
internal sealed class DatabaseInitializer(IServiceProvider services, ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentiGuardDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        StorageLog.Migrated(logger, db.Database.ProviderName ?? "unknown");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class StorageLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready ({Provider})")]
    public static partial void Migrated(ILogger logger, string provider);
}
