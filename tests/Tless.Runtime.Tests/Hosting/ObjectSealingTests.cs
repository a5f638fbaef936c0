using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tless.Runtime.Hosting;
using Tless.Runtime.Protocol;

namespace Tless.Runtime.Tests.Hosting;

public sealed class ObjectSealingTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void TeeSeal_RoundTrip_OpensOnlyAtSameKeyWorkflowAndReader()
    {
        var sealedBytes = ObjectSealing.TeeSeal(Key, "wf/w/inputs/a/x", "w", "a", "secret"u8);
        Assert.True(ObjectSealing.TryTeeOpen(Key, "wf/w/inputs/a/x", "w", "a", sealedBytes, out var plain));
        Assert.Equal("secret"u8.ToArray(), plain);

        Assert.False(ObjectSealing.TryTeeOpen(Key, "wf/w/inputs/a/y", "w", "a", sealedBytes, out _));
        Assert.False(ObjectSealing.TryTeeOpen(Key, "wf/w/inputs/a/x", "v", "a", sealedBytes, out _));
        Assert.False(ObjectSealing.TryTeeOpen(Key, "wf/w/inputs/a/x", "w", "b", sealedBytes, out _));
        Assert.False(ObjectSealing.TryTeeOpen(RandomNumberGenerator.GetBytes(32), "wf/w/inputs/a/x", "w", "a", sealedBytes, out _));
        Assert.False(ObjectSealing.TryTeeOpen(Key, "wf/w/inputs/a/x", "w", "a", sealedBytes.AsSpan(0, 10), out _));
    }

    [Property(MaxTest = 100)]
    public Property TeeSeal_AnySingleBitFlip_FailsToOpen()
    {
        var plain = new byte[40];
        var sealedBytes = ObjectSealing.TeeSeal(Key, "k", "w", "n", plain);
        return Prop.ForAll(Gen.Choose(0, (sealedBytes.Length * 8) - 1).ToArbitrary(), bit =>
        {
            var copy = (byte[])sealedBytes.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            return !ObjectSealing.TryTeeOpen(Key, "k", "w", "n", copy, out _);
        });
    }

    [Fact]
    public void AssociatedData_FieldBoundaries_AreUnambiguous()
    {
        Assert.NotEqual(ObjectSealing.AssociatedData("ab", "c", "d"), ObjectSealing.AssociatedData("a", "bc", "d"));
        Assert.NotEqual(ObjectSealing.AssociatedData("a", "b", "cd"), ObjectSealing.AssociatedData("a", "bc", "d"));
    }

    [Fact]
    public void TeeSeal_WrongKeyLength_Throws() =>
        Assert.Throws<ArgumentException>(() => ObjectSealing.TeeSeal(new byte[16], "k", "w", "n", [1]));

    [Property(MaxTest = 100)]
    public Property DescribeInput_DataKey_RoundTripsProducerAndName()
    {
        var gen = from node in Gen.Elements("mapper", "audit-x", "p_1")
                  from index in Gen.Choose(0, 1000)
                  from name in Gen.Elements("counts", "a.b.c", "lines-0", "x_y")
                  select (node, index, name);
        return Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var target = new NodeInstance("reducer", 3);
            var key = ObjectNames.Data("wf1", "run-1", target, new NodeInstance(c.node, c.index), c.name);
            var input = ObjectNames.DescribeInput("wf1", "run-1", target, key);
            return input.From == c.node && input.FromIndex == c.index && input.Name == c.name;
        });
    }

    [Theory]
    [InlineData("runs/wf1/run-2/data/reducer/3/mapper.0.counts")]
    [InlineData("runs/wf1/run-1/data/reducer/4/mapper.0.counts")]
    [InlineData("wf/wf1/inputs/other/file.txt")]
    [InlineData("runs/wf1/run-1/data/reducer/3/mapper.x.counts")]
    public void DescribeInput_KeyOfAnotherInstanceOrRun_Refused(string key) =>
        Assert.Throws<InvocationRefusedException>(() => ObjectNames.DescribeInput("wf1", "run-1", new NodeInstance("reducer", 3), key));
}
