using Pluggable.Linux;

namespace Pluggable.Tests;

/// <summary>The descriptor passing and peer identity a sealing daemon will rest on, over a real socket pair.</summary>
public sealed class UnixSocketsTests
{
    [Fact]
    public void A_descriptor_sent_over_a_socket_arrives_as_the_same_open_file()
    {
        var (client, daemon) = UnixSockets.CreatePair();
        using (client)
        using (daemon)
        using (var memfd = MemoryFile.Create("exeseal-test", MemoryFile.CloseOnExec | MemoryFile.AllowSealing))
        {
            Seals.Add(memfd, FileSeals.RuntimeCloned, "the test memfd");

            UnixSockets.Send(client, "seal"u8, memfd);
            var buffer = new byte[16];
            var count = UnixSockets.Receive(daemon, buffer, out var received);

            using (received)
            {
                Assert.Equal("seal", System.Text.Encoding.ASCII.GetString(buffer, 0, count));
                Assert.NotNull(received);
                Assert.True(FileStatus.Of(received, "received").IsSameInodeAs(FileStatus.Of(memfd, "sent")));
                Assert.Equal(FileSeals.RuntimeCloned, Seals.OfMemfd(received));
            }
        }
    }

    [Fact]
    public void A_message_without_a_descriptor_arrives_without_one()
    {
        var (client, daemon) = UnixSockets.CreatePair();
        using (client)
        using (daemon)
        {
            client.Dispose();
            var count = UnixSockets.Receive(daemon, new byte[4], out var received);

            Assert.Equal(0, count);
            Assert.Null(received);
        }
    }

    [Fact]
    public void The_peer_of_a_socket_is_this_process_with_its_own_user()
    {
        var (client, daemon) = UnixSockets.CreatePair();
        using (client)
        using (daemon)
        {
            var peer = UnixSockets.PeerOf(daemon);

            Assert.Equal(Environment.ProcessId, peer.ProcessId);
            var effectiveUser = File.ReadLines("/proc/self/status").Single(line => line.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2];
            Assert.Equal(uint.Parse(effectiveUser, System.Globalization.CultureInfo.InvariantCulture), peer.UserId);
        }
    }
}
