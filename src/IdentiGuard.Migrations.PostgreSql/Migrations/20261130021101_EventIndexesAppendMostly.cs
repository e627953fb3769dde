using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class EventIndexesAppendMostly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_TenantId_ReceivedAt",
                table: "Events");

            migrationBuilder.DropIndex(
                name: "IX_Events_TenantId_Uuid",
                table: "Events");

            migrationBuilder.CreateIndex(
                name: "IX_Events_TenantId_Published_Uuid",
                table: "Events",
                columns: new[] { "TenantId", "Published", "Uuid" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Events_TenantId_Published_Uuid",
                table: "Events");

            migrationBuilder.CreateIndex(
                name: "IX_Events_TenantId_ReceivedAt",
                table: "Events",
                columns: new[] { "TenantId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Events_TenantId_Uuid",
                table: "Events",
                columns: new[] { "TenantId", "Uuid" },
                unique: true);
        }
    }
}
