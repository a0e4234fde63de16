using EnvoyGovern.Governance.Hosting;
using EnvoyGovern.LoadBaseline;

// A bare server: the services' Kestrel set-up, gRPC with its defaults, no logging, middleware, metrics or audit.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
GovernanceKestrel.Configure(builder, BaselineServices.Service);
builder.Logging.ClearProviders();
builder.Services.AddGrpc();
var app = builder.Build();
app.MapGrpcService<BaselineAuthorization>();
app.MapGrpcService<BaselineProcessor>();
app.MapGet("/healthz", () => Results.Text("ok\n"));
await app.RunAsync();
