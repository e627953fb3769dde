using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentiGuard.Migrations.Sqlite;

/// <summary>Lets <c>dotnet ef</c> build the model for SQLite migrations (scripts/add-migration.sh).</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<IdentiGuardDbContext>
{
    public IdentiGuardDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<IdentiGuardDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
            .Options, new NoWorkspace());

    private sealed class NoWorkspace : IWorkspaceScope
    {
        public Guid? WorkspaceId => null;
    }
}
