using MLNetAutoencoders.Classifiers;

namespace MLNetAutoencoders.Tests.Classifiers;

public class StratifiedKFoldTests
{
    private static int[] Labels() =>
        Enumerable.Repeat(0, 50).Concat(Enumerable.Repeat(1, 30)).Concat(Enumerable.Repeat(2, 17)).Reverse().ToArray();

    [Fact]
    public void Folds_partition_the_rows_and_keep_class_proportions()
    {
        var labels = Labels();
        var splits = StratifiedKFold.Split(labels, 5, 42);
        Assert.Equal(5, splits.Count);
        var seen = new int[labels.Length];
        foreach (var (train, test) in splits)
        {
            Assert.Equal(labels.Length, train.Length + test.Length);
            Assert.Empty(train.Intersect(test));
            Assert.Equal(train.OrderBy(i => i), train);
            Assert.Equal(test.OrderBy(i => i), test);
            foreach (var i in test) seen[i]++;
            Assert.InRange(test.Length, labels.Length / 5, labels.Length / 5 + 1);
            foreach (var (cls, count) in new[] { (0, 50), (1, 30), (2, 17) })
                Assert.InRange(test.Count(i => labels[i] == cls), count / 5, (count + 4) / 5);
        }
        Assert.All(seen, s => Assert.Equal(1, s));
    }

    [Fact]
    public void Splits_are_deterministic_per_seed()
    {
        var labels = Labels();
        var a = StratifiedKFold.Split(labels, 4, 1);
        var b = StratifiedKFold.Split(labels, 4, 1);
        var c = StratifiedKFold.Split(labels, 4, 2);
        for (int f = 0; f < 4; f++) Assert.Equal(a[f].Test, b[f].Test);
        Assert.Contains(Enumerable.Range(0, 4), f => !a[f].Test.SequenceEqual(c[f].Test));
    }

    [Fact]
    public void Bad_arguments_are_reported()
    {
        Assert.Equal("folds", Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedKFold.Split([0, 1, 0, 1], 1, 0)).ParamName);
        Assert.Equal("folds", Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedKFold.Split([0, 1, 0, 1], 5, 0)).ParamName);
        Assert.Contains("row 2", Assert.Throws<ArgumentException>(() => StratifiedKFold.Split([0, 1, -1, 1], 2, 0)).Message);
    }
}
