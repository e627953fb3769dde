using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Triage;

namespace IdentiGuard.Server.Export;

/// <summary><c>/alerts/export.csv</c> and <c>/alerts/export.json</c>: the list's filters, every page, with evidence.</summary>
public static class ExportEndpoints
{
    public static void MapExportEndpoints(this RouteGroupBuilder alerts)
    {
        alerts.MapGet("/export.csv", (HttpContext http, AlertExport export, CancellationToken ct) => ExportAsync(http, "text/csv; charset=utf-8", "csv", export.WriteCsvAsync, ct));
        alerts.MapGet("/export.json", (HttpContext http, AlertExport export, CancellationToken ct) => ExportAsync(http, "application/json; charset=utf-8", "json", export.WriteJsonAsync, ct));
    }

    private static async Task<IResult> ExportAsync(HttpContext http, string contentType, string extension,
        Func<Alerts.AlertFilter, Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        var (view, errors) = AlertViewFilter.FromQuery(http.Request.Query);
        if (view is null) return TypedResults.ValidationProblem(errors);
        var filter = view.ToFilter(http.User.UserId());
        return new StreamedExport(contentType, $"identiguard-alerts-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{extension}", stream => write(filter, stream, ct));
    }

    private sealed class StreamedExport(string contentType, string fileName, Func<Stream, Task> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = contentType;
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await write(http.Response.Body);
        }
    }
}
