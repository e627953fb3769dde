using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class WorkspaceEventRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "EventRetentionDays",
                table: "Workspaces",
                type: "INTEGER",
                nullable: false,
                defaultValue: 90);

            migrationBuilder.CreateIndex(
                name: "IX_Events_TenantId_ReceivedAt",
                table: "Events",
                columns: new[] { "TenantId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AlertEvents_StoredEventId",
                table: "AlertEvents",
                column: "StoredEventId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_TenantId_ReceivedAt",
                table: "Events");

            migrationBuilder.DropIndex(
                name: "IX_AlertEvents_StoredEventId",
                table: "AlertEvents");

            migrationBuilder.DropColumn(
                name: "EventRetentionDays",
                table: "Workspaces");
        }
    }
}
