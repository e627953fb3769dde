using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class OwnOktaCallsByTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Activity_OktaRequestId",
                table: "Activity");

            migrationBuilder.CreateIndex(
                name: "IX_Activity_TenantId_At_OktaRequestId",
                table: "Activity",
                columns: new[] { "TenantId", "At", "OktaRequestId" },
                filter: "\"OktaRequestId\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Activity_TenantId_At_OktaRequestId",
                table: "Activity");

            migrationBuilder.CreateIndex(
                name: "IX_Activity_OktaRequestId",
                table: "Activity",
                column: "OktaRequestId");
        }
    }
}
