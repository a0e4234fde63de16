using EnvoyGovern.Cli;

return await CommandLine.RunAsync(args);
