using VideoFace.Vision.Embedding;
using VideoFace.Vision.Facebank;

namespace VideoFace.Vision.Tests;

/// <summary>
/// The naming rule on real embeddings of the development faces (default pack): persons are enrolled from their first
/// three photos, a track's evidence is the mean of later photos, as the tracker's top-K mean is.
/// </summary>
public sealed class NamingRuleTests(AnalyzerFixture fx) : IClassFixture<AnalyzerFixture>
{
    private const string Biden = "Joseph_Biden", Bush = "George_HW_Bush", Myers = "Mike_Myers", Kidman = "Nicole_Kidman", Watts = "Naomi_Watts";
    private static readonly NamingOptions Rule = new();

    private static readonly Dictionary<string, float[]> Cache = new(StringComparer.Ordinal);

    private float[] Embed(string person, int n)
    {
        lock (Cache)
        {
            var key = $"{person}/{n}";
            if (!Cache.TryGetValue(key, out var e)) Cache[key] = e = fx.EmbedLargest(TestData.Face(person, n));
            return e;
        }
    }

    /// <summary>The re-normalised mean of some photos: an enrolled centroid, or a track's top-K mean.</summary>
    private float[] Mean(string person, params int[] photos) => Embeddings.MeanNormalized(photos.Select(n => Embed(person, n)).ToList());

    private IdentityEvidence Track(string person, params int[] photos) => new(Mean(person, photos), photos.Length, BestQuality: 0.8f);

    private NamingCandidate Enrolled(string person) => new("p-" + person, Mean(person, 1, 2, 3));

    private List<NamingCandidate> Persons() => [Enrolled(Biden), Enrolled(Bush)];

    [Fact]
    public void Decide_OneFaceWhileRunning_IsUndecided_NotTheNearestName()
    {
        var d = NamingRule.Decide(Track(Biden, 4), Persons(), [], current: null, final: false, Rule);

        Assert.Equal(NamingOutcome.Undecided, d.Outcome);
        Assert.Null(d.IdentityId);
    }

    [Fact]
    public void Decide_ManyPoorFaces_IsUndecided()
    {
        var poor = Track(Biden, 4, 5, 6) with { BestQuality = Rule.MinBestQuality / 2 };

        Assert.Equal(NamingOutcome.Undecided, NamingRule.Decide(poor, Persons(), [], null, final: false, Rule).Outcome);
    }

    [Fact]
    public void Decide_SufficientEvidence_IsNamedWithAClearLead()
    {
        var d = NamingRule.Decide(Track(Biden, 4, 5, 6), Persons(), [], null, final: false, Rule);

        Assert.Equal(NamingOutcome.Named, d.Outcome);
        Assert.Equal("p-" + Biden, d.IdentityId);
        Assert.True(d.Similarity >= Rule.MatchThreshold, $"similarity {d.Similarity}");
        Assert.True(d.Similarity - d.RunnerUpSimilarity >= Rule.Margin, $"lead {d.Similarity - d.RunnerUpSimilarity}");
    }

    [Fact]
    public void Decide_MoreEvidenceLater_PromotesTheUndecidedTrack()
    {
        var early = NamingRule.Decide(Track(Bush, 4), Persons(), [], null, final: false, Rule);
        var later = NamingRule.Decide(Track(Bush, 4, 5, 6), Persons(), [], null, final: false, Rule);

        Assert.Equal(NamingOutcome.Undecided, early.Outcome);
        Assert.Equal(NamingOutcome.Named, later.Outcome);
        Assert.Equal("p-" + Bush, later.IdentityId);
    }

    [Fact]
    public void Decide_TrackLabelledUnknownEarlier_IsPromotedToTheName()
    {
        // decided unknown while the person was not enrolled yet (or the evidence was ambiguous); now it clears the rule
        var d = NamingRule.Decide(Track(Bush, 4, 5, 6), Persons(), [], current: "u-early", final: false, Rule);

        Assert.Equal(NamingOutcome.Named, d.Outcome);
        Assert.Equal("p-" + Bush, d.IdentityId);
    }

    [Fact]
    public void Decide_TwoEnrolledAlike_TieIsUnknown_NeverTheNearestName()
    {
        // the same person enrolled twice (from different photos) under two ids: nobody leads by the margin
        var persons = new List<NamingCandidate> { new("p-a", Mean(Biden, 1, 2)), new("p-b", Mean(Biden, 3)), Enrolled(Bush) };

        var running = NamingRule.Decide(Track(Biden, 4, 5, 6), persons, [], null, final: false, Rule);
        var ended = NamingRule.Decide(Track(Biden, 4, 5, 6), persons, [], null, final: true, Rule);

        Assert.Equal(NamingOutcome.Unknown, running.Outcome);
        Assert.Null(running.IdentityId);
        Assert.Equal(NamingOutcome.Unknown, ended.Outcome);
        Assert.Null(ended.IdentityId);
    }

    [Fact]
    public void Decide_EvidenceTurnsToAnotherPerson_RelabelsTheNamedTrack()
    {
        // the track was named Biden on its first faces; its best faces are now Bush's
        var d = NamingRule.Decide(Track(Bush, 4, 5, 6), Persons(), [], current: "p-" + Biden, final: false, Rule);

        Assert.Equal(NamingOutcome.Named, d.Outcome);
        Assert.Equal("p-" + Bush, d.IdentityId);
    }

    [Fact]
    public void Decide_EvidenceTurnsToAStranger_ReleasesTheName()
    {
        var d = NamingRule.Decide(Track(Myers, 1, 2, 3), Persons(), [], current: "p-" + Biden, final: false, Rule);

        Assert.Equal(NamingOutcome.Unknown, d.Outcome);
        Assert.Null(d.IdentityId);
    }

    [Fact]
    public void Decide_NameBetweenReleaseAndMatchThreshold_Holds()
    {
        // a synthetic centroid at a chosen angle to the evidence: between the release and the match threshold
        var evidence = Track(Biden, 4, 5, 6);
        float target = (Rule.ReleaseThreshold + Rule.MatchThreshold) / 2;
        var other = Embeddings.Normalize(Embed(Myers, 1).Select((v, i) => v - Embeddings.Cosine(Embed(Myers, 1), evidence.Embedding) * evidence.Embedding[i]).ToArray());
        var centroid = evidence.Embedding.Select((v, i) => target * v + MathF.Sqrt(1 - target * target) * other[i]).ToArray();
        var persons = new List<NamingCandidate> { new("p-held", centroid) };

        var fresh = NamingRule.Decide(evidence, persons, [], null, final: false, Rule);
        var held = NamingRule.Decide(evidence, persons, [], current: "p-held", final: false, Rule);

        Assert.Equal(NamingOutcome.Unknown, fresh.Outcome); // too weak to name afresh …
        Assert.Equal(NamingOutcome.Named, held.Outcome); // … not weak enough to take a name away
        Assert.Equal(target, held.Similarity, 3);
    }

    [Fact]
    public void Decide_Stranger_IsUnknown_NotAnEnrolledName()
    {
        foreach (var stranger in new[] { Myers, Kidman, Watts })
        {
            var d = NamingRule.Decide(Track(stranger, 1, 2, 3), Persons(), [], null, final: true, Rule);
            Assert.Equal(NamingOutcome.Unknown, d.Outcome);
            Assert.Null(d.IdentityId);
        }
    }

    [Fact]
    public void Decide_SameStrangerAgain_JoinsTheirUnknownIdentity()
    {
        var unknowns = new List<NamingCandidate> { new("u-myers", Mean(Myers, 1, 2, 3)), new("u-kidman", Mean(Kidman, 1, 2, 3)) };

        var d = NamingRule.Decide(Track(Myers, 4, 5, 6), Persons(), unknowns, null, final: true, Rule);

        Assert.Equal(NamingOutcome.Unknown, d.Outcome);
        Assert.Equal("u-myers", d.IdentityId);
        Assert.True(d.Similarity >= Rule.UnknownMergeThreshold, $"similarity {d.Similarity}");
    }

    [Fact]
    public void Decide_TwoDifferentStrangers_AreKeptApart()
    {
        var unknowns = new List<NamingCandidate> { new("u-myers", Mean(Myers, 1, 2, 3)) };

        foreach (var other in new[] { Kidman, Watts })
        {
            var d = NamingRule.Decide(Track(other, 1, 2, 3), Persons(), unknowns, null, final: true, Rule);
            Assert.Equal(NamingOutcome.Unknown, d.Outcome);
            Assert.Null(d.IdentityId); // a new unknown identity, not Myers'
        }
    }

    [Fact]
    public void Decide_AtTheEnd_WeakEvidenceIsStillDecided_NeverAsTheOtherPerson()
    {
        var d = NamingRule.Decide(Track(Biden, 4), Persons(), [], null, final: true, Rule);

        Assert.NotEqual(NamingOutcome.Undecided, d.Outcome);
        Assert.NotEqual("p-" + Bush, d.IdentityId);
    }

    [Fact]
    public void Decide_NobodyInTheGallery_IsANewUnknown()
    {
        var d = NamingRule.Decide(Track(Biden, 4, 5, 6), [], [], null, final: false, Rule);

        Assert.Equal(NamingOutcome.Unknown, d.Outcome);
        Assert.Null(d.IdentityId);
    }

    [Fact]
    public void Decide_CandidatesOfAnotherLengthOrZero_AreIgnored()
    {
        var persons = new List<NamingCandidate> { new("p-short", new float[3]), new("p-zero", new float[Embed(Biden, 4).Length]), Enrolled(Biden) };

        var d = NamingRule.Decide(Track(Biden, 4, 5, 6), persons, [], null, final: false, Rule);

        Assert.Equal("p-" + Biden, d.IdentityId);
    }

    [Theory]
    [InlineData(0.5f, 0.4f)] // strangers merged more readily than a name is given
    [InlineData(1.5f, 1.5f)]
    [InlineData(float.NaN, 0.45f)]
    public void Options_Unsound_AreRefusedNamingTheKey(float match, float merge)
    {
        var errors = new NamingOptions { MatchThreshold = match, UnknownMergeThreshold = merge }.Validate("Gallery");

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.StartsWith("Gallery:", e));
    }

    [Fact]
    public void Options_Defaults_AreSound() => Assert.Empty(new NamingOptions().Validate("Gallery"));
}
