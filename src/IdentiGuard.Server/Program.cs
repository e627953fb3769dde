using IdentiGuard.Server.Accounts;
using IdentiGuard.Server.Activity;
using IdentiGuard.Server.Alerts;
using IdentiGuard.Server.Api;
using IdentiGuard.Server.Cluster;
using IdentiGuard.Server.Components;
using IdentiGuard.Server.Configuration;
using IdentiGuard.Server.Dashboard;
using IdentiGuard.Server.Demo;
using IdentiGuard.Server.Detection;
using IdentiGuard.Server.Events;
using IdentiGuard.Server.Health;
using IdentiGuard.Server.Ingestion;
using IdentiGuard.Server.Notifications;
using IdentiGuard.Server.Okta;
using IdentiGuard.Server.Polling;
using IdentiGuard.Server.Response;
using IdentiGuard.Server.Retention;
using IdentiGuard.Server.Rotation;
using IdentiGuard.Server.Storage;
using IdentiGuard.Server.Support;
using IdentiGuard.Server.Telemetry;
using IdentiGuard.Server.Tenants;
using IdentiGuard.Server.Workspaces;

// Offline detection: `detect --input <file>` runs the engine over a file and prints alerts as JSON lines.
if (args is ["detect", ..]) return await IdentiGuard.Detection.DetectCommand.RunAsync(args[1..], Console.Out, Console.Error);
// Demo mode: `demo [--speed N] [--scenario NAME|FILE]` runs with an emulated Okta org, a connected demo tenant and scripted attacks.
if (args is ["demo", ..] && !DemoCommand.TryPrepare(args[1..], Console.Out, Console.Error, out args)) return 2;

var builder = WebApplication.CreateBuilder(args);
builder.Host.UseDefaultServiceProvider(o => o.ValidateScopes = o.ValidateOnBuild = true);
builder.AddIdentiGuardOptions();
builder.AddStorage();
builder.AddTelemetry();
builder.AddAccounts();
builder.AddSignIn();
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
builder.Services.AddNotifications();
builder.Services.AddResponse();
builder.Services.AddApi();
builder.Services.AddWorkspaces();
builder.Services.AddSecretRotation();
builder.Services.AddIdentiGuardHealth();
builder.Services.AddDemo();
builder.Services.AddDashboard();
builder.AddUi();

var app = builder.Build();
app.UseIdentiGuardErrorHandling();
app.UseSecurityHeaders();
app.UseAuthentication();
app.UseSignInProtection();
app.UseAuthorization();
app.UseAntiforgery();
app.UseWorkspacePageGate();
app.MapIdentiGuardHealth();
app.UseMetricsEndpoint();
app.MapHookEndpoints();
app.MapApi();
app.MapUi();
await app.RunAsync();
return 0;

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
