namespace VideoFace.Datasets.RecordIO;

/// <summary>A RecordIO, index or InsightFace header that does not follow the format; the message names the file and offset.</summary>
/// <remarks>An <see cref="IOException"/>, so callers that report bad files already report this one.</remarks>
public sealed class RecordIOException(string message) : IOException(message);
