using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AlertDispatchesSuppressed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_AlertDispatches_Suppressed",
                table: "AlertDispatches",
                column: "AlertId",
                filter: "\"SkippedReason\" LIKE 'suppressed%'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_AlertDispatches_Suppressed",
                table: "AlertDispatches");
        }
    }
}
