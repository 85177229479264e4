using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Pluggable.Linux;

namespace Pluggable.Tests.Support;

/// <summary>
/// A client of exeseald that frames whatever a test asks, with any number of descriptors: how a confused or hostile
/// peer speaks. Its sendmsg is its own because exeseal never sends more than one descriptor.
/// </summary>
public sealed partial class RawSealClient : IDisposable
{
    private readonly SafeFileHandle connection;

    public RawSealClient(string socket)
    {
        Assert.Equal(0, UnixSockets.TryConnect(socket, TimeSpan.FromSeconds(5), out var connected));
        connection = connected!;
    }

    /// <summary>A 4-byte little-endian <paramref name="announcedLength"/> (the payload's own by default), the payload, and the descriptors with the first byte.</summary>
    public void Send(string payload, IReadOnlyList<SafeFileHandle> descriptors, int? announcedLength = null)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        var frame = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, announcedLength ?? bytes.Length);
        bytes.CopyTo(frame, 4);
        SendWithDescriptors(frame, descriptors);
        UnixSockets.FinishSending(connection);
    }

    /// <summary>Everything the daemon sent until it closed the connection, less the 4-byte length; empty when it sent nothing.</summary>
    public string ReadToEnd()
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            Assert.True(Readiness.WaitForInput(TimeSpan.FromSeconds(30), connection) == 0, "exeseald neither answered nor closed within 30 s");
            int count;
            try
            {
                count = UnixSockets.Receive(connection, buffer, out var descriptor);
                descriptor?.Dispose();
            }
            catch (Abstractions.SealingException error) when (error.Errno == Errno.ECONNRESET)
            {
                // The daemon closed with part of the request unread: the kernel resets the connection.
                count = 0;
            }

            if (count == 0)
            {
                return received.Count > 4 ? Encoding.UTF8.GetString([.. received.Skip(4)]) : "";
            }

            received.AddRange(buffer.AsSpan(0, count));
        }
    }

    public void Dispose() => connection.Dispose();

    private unsafe void SendWithDescriptors(byte[] frame, IReadOnlyList<SafeFileHandle> descriptors)
    {
        var controlLength = 16 + (4 * descriptors.Count);
        var control = stackalloc byte[(controlLength + 7) & ~7];
        *(ulong*)control = (ulong)controlLength;
        *(int*)(control + 8) = 1; // SOL_SOCKET
        *(int*)(control + 12) = 1; // SCM_RIGHTS
        for (var i = 0; i < descriptors.Count; i++)
        {
            *(int*)(control + 16 + (4 * i)) = descriptors[i].DangerousGetHandle().ToInt32();
        }

        fixed (byte* bytes = frame)
        {
            var vector = stackalloc nint[2];
            vector[0] = (nint)bytes;
            vector[1] = frame.Length;
            var header = stackalloc nint[7];
            new Span<nint>(header, 7).Clear();
            header[2] = (nint)vector;
            header[3] = 1;
            header[4] = descriptors.Count == 0 ? 0 : (nint)control;
            header[5] = descriptors.Count == 0 ? 0 : (controlLength + 7) & ~7;
            Assert.Equal(frame.Length, sendmsg(connection, header, 0));
        }

        GC.KeepAlive(descriptors);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint sendmsg(SafeHandle socket, nint* message, int flags);
}
