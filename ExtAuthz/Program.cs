using EnvoyGovern.ExtAuthz;

await ExtAuthzApp.Build(args).RunAsync();
