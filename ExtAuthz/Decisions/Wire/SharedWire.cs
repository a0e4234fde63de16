// The span reader is shared with ext_proc's request reader (protos/Compat); these names keep ExtAuthz's readers and
// views written as before.
global using WireRange = EnvoyGovern.Protos.Compat.WireRange;
global using WireReader = EnvoyGovern.Protos.Compat.WireReader;
