using System.Runtime.InteropServices;

namespace EnvoyGovern.Tests.Policy;

/// <summary>
/// A directory laid out and updated the way kubelet updates a ConfigMap volume: the data lives in a
/// hidden timestamped directory, <c>..data</c> is a symlink to it, each visible file is a symlink
/// through <c>..data</c>, and an update writes a new directory and renames a new link over <c>..data</c>.
/// </summary>
internal sealed partial class ConfigMapVolume : IDisposable
{
    private int _generation;

    public ConfigMapVolume(params (string Name, string Text)[] files)
    {
        Path = Directory.CreateTempSubdirectory("envoygovern-configmap-").FullName;
        Update(files);
    }

    public string Path { get; }

    public void Update(params (string Name, string Text)[] files)
    {
        var generation = $"..2026_11_26_00_00_{++_generation:00}.{Guid.NewGuid():N}";
        var target = System.IO.Path.Combine(Path, generation);
        Directory.CreateDirectory(target);
        foreach (var (name, text) in files)
        {
            File.WriteAllText(System.IO.Path.Combine(target, name), text);
        }

        var temporary = System.IO.Path.Combine(Path, "..data_tmp");
        File.CreateSymbolicLink(temporary, generation);
        // rename(2) over the old link: the atomic swap kubelet relies on (File.Move would follow the link).
        if (Rename(temporary, System.IO.Path.Combine(Path, "..data")) != 0)
        {
            throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
        }
        foreach (var (name, _) in files)
        {
            var visible = System.IO.Path.Combine(Path, name);
            if (!File.Exists(visible))
            {
                File.CreateSymbolicLink(visible, System.IO.Path.Combine("..data", name));
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // The watcher may hold it for a moment; temp folders are cleaned eventually.
        }
    }
}
