using IdentiGuard.Data;
using IdentiGuard.Data.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentiGuard.Migrations.PostgreSql;

/// <summary>Lets <c>dotnet ef</c> build the model for PostgreSQL migrations (scripts/add-migration.sh).</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<IdentiGuardDbContext>
{
    public IdentiGuardDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<IdentiGuardDbContext>()
            .UseNpgsql("Host=localhost;Database=identiguard_design", o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
            .Options, new NoWorkspace());

    private sealed class NoWorkspace : IWorkspaceScope
    {
        public Guid? WorkspaceId => null;
    }
}
