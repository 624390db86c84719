using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Data;

/// <summary>A temporary folder (deleted on dispose) with helpers to write small test files.</summary>
internal sealed class Scratch : IDisposable
{
    public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("mlae-data-");

    public string Path(string name) => System.IO.Path.Combine(Dir.FullName, name);

    public string Write(string name, byte[] bytes)
    {
        var p = Path(name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    public string WriteText(string name, string text)
    {
        var p = Path(name);
        File.WriteAllText(p, text);
        return p;
    }

    public void Dispose() => Dir.Delete(recursive: true);

    /// <summary>An IDX file: big-endian magic, big-endian dims, then the payload.</summary>
    public static byte[] Idx(int magic, int[] dims, byte[] payload)
    {
        var b = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>An NPY file made by hand: magic, version, little-endian header length, the dict padded with spaces and '\n', then the data.</summary>
    public static byte[] NpyBytes(string dict, byte[] data, int major = 1)
    {
        int prefix = major == 1 ? 10 : 12;
        int len = dict.Length + 1;
        int pad = (64 - (prefix + len) % 64) % 64;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', pad) + "\n");
        var b = new byte[prefix + header.Length + data.Length];
        Encoding.Latin1.GetBytes("\x93NUMPY").CopyTo(b, 0);
        b[6] = (byte)major;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)header.Length);
        header.CopyTo(b, prefix);
        data.CopyTo(b, prefix + header.Length);
        return b;
    }

    /// <summary>Little-endian bytes of the values.</summary>
    public static byte[] Bytes<T>(params T[] values) where T : unmanaged
        => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}

/// <summary>Runs short scripts with Debian's /usr/bin/python3 (the reference Python with numpy).</summary>
internal static class RefPython
{
    public const string Exe = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (passed with -c) and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        TestEnv.RequireFile(Exe, "Debian's python3 (with python3-numpy)");
        var psi = new ProcessStartInfo(Exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("python3 did not finish within 60 s.");
        }
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"python3 failed (exit {p.ExitCode}); run `bash scripts/setup.sh` if numpy is missing.\n{stderr.Result}");
        return stdout.Result;
    }
}
