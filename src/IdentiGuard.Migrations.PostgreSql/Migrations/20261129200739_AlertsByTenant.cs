using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AlertsByTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Alerts_TenantId_LastSeen",
                table: "Alerts",
                columns: new[] { "TenantId", "LastSeen" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Alerts_TenantId_LastSeen",
                table: "Alerts");
        }
    }
}
