using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.PostgreSql.Migrations
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
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Hour = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Source = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
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
                SELECT "TenantId", date_trunc('hour', "ReceivedAt" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "Source", COUNT(*)::int FROM "Events"
                WHERE "ReceivedAt" >= date_trunc('hour', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 day'
                GROUP BY 1, 2, 3;
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
