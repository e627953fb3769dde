using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentiGuard.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PollerNewestPublished : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "NewestPolledPublished",
                table: "PollCheckpoints",
                type: "TEXT",
                nullable: true);

            // What the health page showed before: the newest event stored by the poller.
            migrationBuilder.Sql("""
                UPDATE "PollCheckpoints" SET "NewestPolledPublished" =
                    (SELECT MAX(e."Published") FROM "Events" AS e WHERE e."TenantId" = "PollCheckpoints"."TenantId" AND e."Source" = 1);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NewestPolledPublished",
                table: "PollCheckpoints");
        }
    }
}
