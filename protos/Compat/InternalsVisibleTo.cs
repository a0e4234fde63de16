using System.Runtime.CompilerServices;

// The span reader is shared with ExtAuthz's CheckRequest reader, not part of this assembly's public API.
[assembly: InternalsVisibleTo("EnvoyGovern.ExtAuthz")]
[assembly: InternalsVisibleTo("EnvoyGovern.Tests")]
