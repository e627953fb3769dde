using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Api;
using IdentiGuard.Server.Cluster;
using IdentiGuard.Server.Components;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Detection;
using IdentiGuard.Server.Events;
using IdentiGuard.Server.Health;
using IdentiGuard.Server.Ingestion;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Polling;
using IdentiGuard.Server.Retention;
using IdentiGuard.Server.Storage;
using IdentiGuard.Server.Support;
using IdentiGuard.Server.Telemetry;
using IdentiGuard.Server.Tenants;

// Offline detection: `detect --input <file>` runs the engine over a file and prints alerts as JSON lines.
if (args is ["detect", ..]) return await IdentiGuard.Detection.DetectCommand.RunAsync(args[1..], Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.Host.UseDefaultServiceProvider(o => o.ValidateScopes = o.ValidateOnBuild = true);
builder.AddIdentiGuardOptions();
builder.AddStorage();
builder.AddTelemetry();
builder.AddAccounts();
builder.AddOrleansSilo();
builder.Services.AddActivity();
builder.Services.AddOkta();
builder.Services.AddTenants();
builder.Services.AddIngestion();
builder.Services.AddPolling();
builder.Services.AddTenantHealth();
builder.Services.AddRetention();
builder.Services.AddAlerts();
builder.Services.AddEvents();
builder.Services.AddDetection();
builder.Services.AddSupport();
builder.Services.AddApi();
builder.Services.AddIdentiGuardHealth();
builder.AddUi();

var app = builder.Build();
app.UseIdentiGuardErrorHandling();
app.UseSecurityHeaders();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapIdentiGuardHealth();
app.UseMetricsEndpoint();
app.MapHookEndpoints();
app.MapApi();
app.MapUi();
await app.RunAsync();
return 0;

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
