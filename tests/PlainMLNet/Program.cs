// Loads an ML.NET model zip and scores a binary IDataView file with it, in plain ML.NET.
// Usage: PlainMLNet MODEL.zip INPUT.idv OUTPUT.idv
// Prints the loaded transformers' types; exits 3 if any MLNetAutoencoders assembly got loaded.
using Microsoft.ML;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: PlainMLNet MODEL.zip INPUT.idv OUTPUT.idv");
    return 2;
}
var ml = new MLContext(seed: 0);
var model = ml.Model.Load(args[0], out var inputSchema);
var data = ml.Data.LoadFromBinary(args[1]);
var scored = model.Transform(data);
using (var stream = File.Create(args[2]))
    ml.Data.SaveAsBinary(scored, stream, keepHidden: false);
var stages = model is IEnumerable<ITransformer> chain ? chain.ToList() : [model];
foreach (var t in stages) Console.WriteLine("stage: " + t.GetType().FullName);
foreach (var c in scored.Schema) Console.WriteLine($"column: {c.Name}: {c.Type}");
var ours = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name!.StartsWith("MLNetAutoencoders", StringComparison.Ordinal)).ToList();
foreach (var a in ours) Console.WriteLine("loaded: " + a.GetName().Name);
return ours.Count == 0 ? 0 : 3;
