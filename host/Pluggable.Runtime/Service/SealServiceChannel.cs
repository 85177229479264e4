using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Win32.SafeHandles;
using Pluggable.Abstractions;
using Pluggable.Linux;

namespace Pluggable.Runtime.Service;

/// <summary>
/// One message each way over a connected unix socket: a 4-byte little-endian length, then that much JSON. A
/// descriptor, when there is one, rides with the first bytes (SCM_RIGHTS), so it cannot be separated from its message.
/// </summary>
internal static class SealServiceChannel
{
    private const int LengthBytes = 4;

    // A request or reply is a path and a few sentences; anything larger is not from an exeseal peer.
    private const int MaxMessageBytes = 64 * 1024;

    public static void Send<T>(SafeHandle socket, T message, JsonTypeInfo<T> type, SafeFileHandle? descriptor)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(message, type);
        if (payload.Length > MaxMessageBytes)
        {
            throw new SealingException($"a message of {payload.Length} bytes is more than the {MaxMessageBytes} the protocol allows");
        }

        var frame = new byte[LengthBytes + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(LengthBytes));
        UnixSockets.Send(socket, frame, descriptor);
    }

    /// <summary>
    /// The peer's message and the descriptor that came with it (the caller owns it), or throws when the peer broke
    /// off, lied, or did not finish the message within <paramref name="timeout"/>, counted from now.
    /// </summary>
    public static (T Message, SafeFileHandle? Descriptor) Receive<T>(SafeHandle socket, JsonTypeInfo<T> type, TimeSpan timeout)
    {
        var deadline = new Deadline(timeout);
        Span<byte> header = stackalloc byte[LengthBytes];
        var descriptor = ReceiveExactly(socket, header, acceptDescriptor: true, deadline);
        try
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length is <= 0 or > MaxMessageBytes)
            {
                throw new SealingException($"the peer announced a message of {length} bytes; the protocol allows 1 to {MaxMessageBytes}");
            }

            var payload = new byte[length];
            ReceiveExactly(socket, payload, acceptDescriptor: false, deadline);
            try
            {
                var message = JsonSerializer.Deserialize(payload, type) ?? throw new SealingException("the peer sent an empty message");
                return (message, descriptor);
            }
            catch (JsonException error)
            {
                throw new SealingException($"the peer sent a malformed message: {error.Message}");
            }
        }
        catch
        {
            descriptor?.Dispose();
            throw;
        }
    }

    // The deadline covers the whole message: a peer that sends a byte now and then must not hold a thread for longer.
    private static SafeFileHandle? ReceiveExactly(SafeHandle socket, Span<byte> buffer, bool acceptDescriptor, Deadline deadline)
    {
        SafeFileHandle? kept = null;
        try
        {
            for (var filled = 0; filled < buffer.Length;)
            {
                if (Readiness.WaitForInput(deadline.Remaining, socket) < 0)
                {
                    throw new SealingException($"the peer did not send its whole message within {deadline.Timeout.TotalSeconds:0.#} s");
                }

                var received = UnixSockets.Receive(socket, buffer[filled..], out var descriptor);
                if (descriptor is not null)
                {
                    if (!acceptDescriptor || kept is not null)
                    {
                        descriptor.Dispose();
                        throw new SealingException("the peer sent a descriptor where none belongs; refused");
                    }

                    kept = descriptor;
                }

                filled += received > 0 ? received : throw new SealingException("the peer closed the connection in the middle of a message");
            }

            return kept;
        }
        catch
        {
            kept?.Dispose();
            throw;
        }
    }

    private readonly record struct Deadline(TimeSpan Timeout)
    {
        private readonly long end = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;

        public TimeSpan Remaining => TimeSpan.FromMilliseconds(Math.Max(0, end - Environment.TickCount64));
    }
}
