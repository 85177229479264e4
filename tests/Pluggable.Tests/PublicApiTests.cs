using System.Reflection;
using Pluggable.Abstractions;
using Pluggable.Linux;
using PublicApiGenerator;
using Pluggable.Tests.Support;

namespace Pluggable.Tests;

/// <summary>
/// What vendors compile against, as text. A change to a public member of the contract changes the snapshot and
/// fails this test: the diff of the approved file is the review of the change (and says whether it needs a new
/// major version). Accept an intended change by copying the .received.txt file over the .approved.txt one.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_Pluggable_Abstractions_is_the_approved_one() =>
        AssertApproved(typeof(ISealingProvider).Assembly);

    [Fact]
    public void The_public_API_of_Pluggable_Linux_is_the_approved_one() =>
        AssertApproved(typeof(SystemCallFailure).Assembly);

    private static void AssertApproved(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        var directory = Path.Combine(Paths.Repository, "tests", "Pluggable.Tests", "PublicApi");
        var approvedPath = Path.Combine(directory, $"{name}.approved.txt");
        var receivedPath = Path.Combine(directory, $"{name}.received.txt");
        var received = assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute"] })
            .ReplaceLineEndings("\n");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (received == approved)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail($"""
            The public API of {name} changed. Compare {Path.GetRelativePath(Paths.Repository, receivedPath)} with
            {Path.GetRelativePath(Paths.Repository, approvedPath)}; if the change is intended, copy the first over the second
            and commit it, with a new minor version for an addition and a new major version for anything else.
            """);
    }
}
