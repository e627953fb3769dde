using System.Text;
using System.Text.Encodings.Web;

namespace IdentiGuard.OktaEmulator.Admin;

/// <summary>Minimal imitation of Admin Console "Workflow &gt; Event Hooks" with Preview / "Deliver Request".</summary>
internal static class AdminPage
{
    private static readonly HtmlEncoder Enc = HtmlEncoder.Default;

    public static void Map(WebApplication app)
    {
        app.MapGet("/admin/event-hooks", (OktaEmulator em) => Page(em, null, null));
        app.MapPost("/admin/event-hooks/{id}/preview", async (HttpContext ctx, OktaEmulator em, string id) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            var type = form["eventType"].ToString();
            var body = form["body"].ToString();
            string message;
            try
            {
                var r = await em.PreviewDeliverAsync(id, type, string.IsNullOrWhiteSpace(body) ? null : body, ctx.RequestAborted);
                message = r.Success
                    ? $"Success: request delivered (HTTP {r.StatusCode})"
                    : $"Failure: {r.Error}";
            }
            catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
            {
                message = "Failure: " + ex.Message;
            }
            return Page(em, id, message);
        }).DisableAntiforgery();
    }

    private static IResult Page(OktaEmulator em, string? resultHookId, string? resultMessage)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Event Hooks - Okta Emulator</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}
            .hook{border:1px solid #ddd;padding:1em;margin:1em 0}.success{color:#0a7}.failure{color:#c00}textarea{width:100%;height:12em}</style>
            </head><body><p>Workflow &gt; Event Hooks</p><h1>Event Hooks</h1>
            """);
        var hooks = em.Hooks;
        sb.Append("<table id=\"event-hooks\"><thead><tr><th>Name</th><th>Status</th><th>Verification</th><th>URL</th></tr></thead><tbody>");
        foreach (var h in hooks)
            sb.Append($"<tr data-hook-id=\"{Enc.Encode(h.Id)}\"><td>{Enc.Encode(h.Name)}</td><td>{h.Status}</td><td>{h.VerificationStatus}</td><td>{Enc.Encode(h.Uri)}</td></tr>");
        sb.Append("</tbody></table>");
        if (hooks.Count == 0) sb.Append("<p>No event hooks.</p>");

        foreach (var h in hooks)
        {
            var id = Enc.Encode(h.Id);
            sb.Append($"<section class=\"hook\" id=\"hook-{id}\" data-hook-id=\"{id}\"><h2>{Enc.Encode(h.Name)}</h2>");
            sb.Append("<h3>Preview</h3>");
            sb.Append($"<form method=\"post\" action=\"/admin/event-hooks/{id}/preview\">");
            sb.Append($"<label for=\"type-{id}\">Event Type</label> <select id=\"type-{id}\" name=\"eventType\" data-hook-id=\"{id}\">");
            foreach (var t in h.EventTypes) sb.Append($"<option value=\"{Enc.Encode(t)}\">{Enc.Encode(t)}</option>");
            sb.Append("</select><br><label for=\"body-").Append(id).Append("\">Preview JSON body (edit to override)</label>");
            sb.Append($"<textarea id=\"body-{id}\" name=\"body\"></textarea>");
            sb.Append("<button type=\"submit\">Deliver Request</button></form>");
            if (resultHookId == h.Id && resultMessage is not null)
            {
                var cls = resultMessage.StartsWith("Success", StringComparison.Ordinal) ? "success" : "failure";
                sb.Append($"<p class=\"preview-result {cls}\" role=\"status\">{Enc.Encode(resultMessage)}</p>");
            }
            sb.Append("</section>");
        }
        sb.Append("""
            <script>
            for (const sel of document.querySelectorAll('select[name=eventType]')) {
              const load = async () => {
                const r = await fetch(`/_emulator/hooks/${sel.dataset.hookId}/preview?eventType=${encodeURIComponent(sel.value)}`);
                if (r.ok) document.getElementById('body-' + sel.dataset.hookId).value = JSON.stringify(await r.json(), null, 2);
              };
              sel.addEventListener('change', load); load();
            }
            </script></body></html>
            """);
        return Results.Content(sb.ToString(), "text/html; charset=utf-8");
    }
}
