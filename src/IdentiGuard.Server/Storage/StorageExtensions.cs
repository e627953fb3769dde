using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using IdentiGuard.Server.Configuration;
using Microsoft.EntityFrameworkCore;

namespace IdentiGuard.Server.Storage;

public static class StorageExtensions
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StorageOptions>(StorageOptions.Section);
        var host = builder.Configuration.GetSection(IdentiGuardOptions.Section).Get<IdentiGuardOptions>() ?? new IdentiGuardOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        Directory.CreateDirectory(host.ResolvedDataDirectory);

        builder.Services.AddSingleton<WriteTurns>();
        builder.Services.AddScoped<WorkspaceScope>();
        builder.Services.AddScoped<IWorkspaceScope>(sp => sp.GetRequiredService<WorkspaceScope>());
        builder.Services.AddDbContextFactory<IdentiGuardDbContext>(options => Configure(options, storage, host), ServiceLifetime.Scoped);

        builder.AddKeyRing(host);
        builder.Services.AddHostedService<DatabaseInitializer>();
        if (storage.Provider == DatabaseProvider.Sqlite) builder.Services.AddHostedService<SqliteCheckpointer>();
        builder.Services.AddMemoryCache();

        // SQLite's "async" calls complete synchronously and hold a pool thread each (waiting for the write lock included):
        // start with enough threads that a burst of deliveries does not wait for the pool to grow.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
        return builder;
    }

    public static void Configure(DbContextOptionsBuilder options, StorageOptions storage, IdentiGuardOptions host)
    {
        if (storage.Provider == DatabaseProvider.PostgreSql)
        {
            if (string.IsNullOrWhiteSpace(storage.ConnectionString))
                throw new InvalidOperationException("IdentiGuard:Database:ConnectionString is required when the provider is PostgreSql.");
            options.UseNpgsql(storage.ConnectionString, npgsql => npgsql.MigrationsAssembly("IdentiGuard.Migrations.PostgreSql"));
            return;
        }

        var connectionString = string.IsNullOrWhiteSpace(storage.ConnectionString)
            ? $"Data Source={Path.Combine(host.ResolvedDataDirectory, "identiguard.db")};Pooling=True"
            : storage.ConnectionString;
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly("IdentiGuard.Migrations.Sqlite"))
            .AddInterceptors(SqliteDurabilityInterceptor.Instance);
    }
}
