namespace VideoFace.Media.Ffmpeg;

/// <summary>The input's video stream as ffmpeg reports it when opening.</summary>
public sealed record StreamInfo(string Codec, int Width, int Height, double Fps);
