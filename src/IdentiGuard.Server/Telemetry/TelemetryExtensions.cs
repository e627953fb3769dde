using System.Net;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IdentiGuard.Server.Telemetry;

/// <summary>
/// OpenTelemetry metrics and traces: IdentiGuard's meters (<see cref="IdentiGuardMetrics"/>), ASP.NET Core, HttpClient
/// (Okta calls) and the .NET runtime. A Prometheus scrape endpoint (loopback only unless configured otherwise), and OTLP
/// export of metrics and traces when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OTEL_* variables apply).
/// </summary>
public static class TelemetryExtensions
{
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddSingleton<IdentiGuardMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("IdentiGuard", serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(IdentiGuardMetrics.Name, "System.Runtime").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (options.PrometheusEnabled) metrics.AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(IdentiGuardMetrics.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (otlp) tracing.AddOtlpExporter();
            });
        return builder;
    }

    /// <summary>The Prometheus scrape endpoint, when enabled; a request it does not serve goes on to the app (404).</summary>
    public static WebApplication UseMetricsEndpoint(this WebApplication app)
    {
        var options = app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!options.PrometheusEnabled) return app;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == options.PrometheusPath
            && (options.PrometheusAllowRemote || context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)));
        return app;
    }
}
