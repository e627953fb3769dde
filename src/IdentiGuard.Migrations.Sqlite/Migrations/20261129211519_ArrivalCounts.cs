using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ArrivalCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ArrivalCounts",
                columns: table => new
                {
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Hour = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Source = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArrivalCounts", x => new { x.TenantId, x.Hour, x.Source });
                    table.ForeignKey(
                        name: "FK_ArrivalCounts_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // The last day's counts, from the events already stored.
            migrationBuilder.Sql("""
                INSERT INTO "ArrivalCounts" ("TenantId", "Hour", "Source", "Count")
                SELECT "TenantId", strftime('%Y-%m-%d %H:00:00', "ReceivedAt"), "Source", COUNT(*) FROM "Events"
                WHERE "ReceivedAt" >= strftime('%Y-%m-%d %H:00:00', 'now', '-1 day')
                GROUP BY "TenantId", strftime('%Y-%m-%d %H:00:00', "ReceivedAt"), "Source";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ArrivalCounts");
        }
    }
}
