namespace VideoFace.Pipeline.Sessions;

/// <summary>What a camera session should read: its URL and how many frames a second to analyse.</summary>
public sealed record CameraFeed(string Url, double AnalysisFps);
