using EnvoyGovern.ExtProc;

await ExtProcApp.Build(args).RunAsync();
