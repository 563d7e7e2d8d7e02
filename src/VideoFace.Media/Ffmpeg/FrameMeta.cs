namespace VideoFace.Media.Ffmpeg;

/// <summary>What ffmpeg's showinfo filter says about one output frame, in output order.</summary>
internal readonly record struct FrameMeta(long Index, TimeSpan? Pts, int Width, int Height);
