using Google.Protobuf;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;

namespace MLNetAutoencoders.Tests.Onnx;

public sealed class OnnxModelFileTests
{
    private static (OnnxGraphBuilder Builder, Matrix W, float[] Bias) SmallModel()
    {
        var rng = new Rng(1);
        var w = Gaussian(rng, 3, 5);
        var bias = Gaussian(rng, 3);
        var b = new OnnxGraphBuilder("x", 5, "small");
        var h = b.Activation(b.Dense(b.Input, w, bias, hint: "enc"), OnnxActivation.LeakyRelu, alpha: 0f);
        b.Output(h, "y");
        b.DocString = "a small model";
        b.SetMetadata("model", "test");
        b.SetMetadata("features", "5");
        b.SetMetadata("model", "test2");
        return (b, w, bias);
    }

    [Fact]
    public void SaveLoad_RoundTripsGraphInitializersAndMetadata()
    {
        using var tmp = new TempDir();
        var (b, w, bias) = SmallModel();
        var built = b.Build();
        var path = tmp.File("m.onnx");
        b.Save(path);
        var loaded = OnnxModelFile.Load(path);

        Assert.Equal(built, loaded); // protobuf value equality: every field of every message
        Assert.Equal(OnnxGraphBuilder.IrVersion, loaded.IrVersion);
        var opset = Assert.Single(loaded.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("MLNetAutoencoders", loaded.ProducerName);
        Assert.Equal(typeof(OnnxGraphBuilder).Assembly.GetName().Version!.ToString(3), loaded.ProducerVersion);
        Assert.Equal("a small model", loaded.DocString);
        Assert.Equal([("model", "test2"), ("features", "5")], loaded.MetadataProps.Select(p => (p.Key, p.Value)));

        var g = loaded.Graph;
        Assert.Equal("small", g.Name);
        Assert.Equal(["Gemm", "LeakyRelu", "Identity"], g.Node.Select(n => n.OpType));
        var input = Assert.Single(g.Input);
        Assert.Equal("x", input.Name);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(5, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        var output = Assert.Single(g.Output);
        Assert.Equal("y", output.Name);
        Assert.Equal(3, output.Type.TensorType.Shape.Dim[1].DimValue);

        var wT = g.Initializer.Single(t => t.Name == "enc_W");
        Assert.Equal([3L, 5L], wT.Dims);
        Assert.True(wT.HasRawData);
        Assert.Equal(w.Span.ToArray(), OnnxModelFile.ReadMatrix(wT).Span.ToArray());
        Assert.Equal(bias, OnnxModelFile.ReadFloats(g.Initializer.Single(t => t.Name == "enc_b")));

        // Zero-valued attributes keep their presence (proto2 'optional' semantics), as onnx's checker requires.
        var gemm = g.Node[0];
        var transA = gemm.Attribute.Single(a => a.Name == "transA");
        Assert.True(transA.HasI && transA.I == 0 && transA.Type == AttributeProto.Types.AttributeType.Int);
        var alpha = g.Node[1].Attribute.Single(a => a.Name == "alpha");
        Assert.True(alpha.HasF && alpha.F == 0 && alpha.Type == AttributeProto.Types.AttributeType.Float);
    }

    [Fact]
    public void Save_WritesTheProtobufWireFormatOfOnnx()
    {
        // Hand-checked bytes of a tiny message: dims are not packed (field 1, varint each) like onnx's proto2 file;
        // the attribute's i = 0 is written (field 3) as is its type (field 20).
        var t = new TensorProto { DataType = 1 };
        t.Dims.Add(2);
        t.Dims.Add(3);
        Assert.Equal(new byte[] { 0x08, 0x02, 0x08, 0x03, 0x10, 0x01 }, t.ToByteArray());
        var a = OnnxGraphBuilder.Attribute("k", 0L);
        Assert.Equal(new byte[] { 0x0A, 0x01, (byte)'k', 0x18, 0x00, 0xA0, 0x01, 0x02 }, a.ToByteArray());
    }

    [Fact]
    public void Load_MissingFile_Throws()
    {
        using var tmp = new TempDir();
        var path = tmp.File("none.onnx");
        var ex = Assert.Throws<FileNotFoundException>(() => OnnxModelFile.Load(path));
        Assert.Contains(path, ex.Message);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("truncated")]
    [InlineData("text")]
    [InlineData("other-protobuf")]
    public void Load_BadFile_ThrowsNamingTheFile(string kind)
    {
        using var tmp = new TempDir();
        var path = tmp.File(kind + ".onnx");
        var good = SmallModel().Builder.Build().ToByteArray();
        byte[] bytes = kind switch
        {
            "empty" => [],
            "truncated" => good[..(good.Length - 7)],
            "text" => "this is not an ONNX model\n"u8.ToArray(),
            _ => new StringStringEntryProto { Key = "a", Value = "b" }.ToByteArray(),
        };
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelFile.Load(path));
        Assert.StartsWith(path + ":", ex.Message);
    }

    [Fact]
    public void Validate_RejectsStructuralErrors()
    {
        var model = SmallModel().Builder.Build();

        var undefinedInput = model.Clone();
        undefinedInput.Graph.Node[1].Input[0] = "nowhere";
        Assert.Contains("reads 'nowhere'", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(undefinedInput, "m")).Message);

        var outOfOrder = model.Clone();
        var first = outOfOrder.Graph.Node[0];
        outOfOrder.Graph.Node.RemoveAt(0);
        outOfOrder.Graph.Node.Add(first);
        Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(outOfOrder, "m"));

        var shortData = model.Clone();
        shortData.Graph.Initializer[0].RawData = ByteString.CopyFrom(new byte[8]);
        Assert.Contains("needs 60", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(shortData, "m")).Message);

        var noOutput = model.Clone();
        noOutput.Graph.Output[0].Name = "missing";
        Assert.Contains("'missing'", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(noOutput, "m")).Message);

        var twice = model.Clone();
        twice.Graph.Node[1].Output[0] = twice.Graph.Node[0].Output[0];
        Assert.Contains("already defined", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(twice, "m")).Message);

        var noOpset = model.Clone();
        noOpset.OpsetImport.Clear();
        Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(noOpset, "m"));

        var external = model.Clone();
        external.Graph.Initializer[0].DataLocation = TensorProto.Types.DataLocation.External;
        Assert.Contains("external", Assert.Throws<InvalidDataException>(() => OnnxModelFile.Validate(external, "m")).Message);
    }

    [Fact]
    public void Save_InvalidModel_WritesNothing()
    {
        using var tmp = new TempDir();
        var model = SmallModel().Builder.Build();
        model.Graph.Node[0].Input[0] = "nowhere";
        var path = tmp.File("bad.onnx");
        Assert.Throws<InvalidDataException>(() => OnnxModelFile.Save(model, path));
        Assert.Empty(tmp.Dir.GetFiles());
    }

    [Fact]
    public void ReadFloats_AcceptsFloatData_AndRejectsWrongCountOrType()
    {
        var t = new TensorProto { Name = "v", DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(3);
        t.FloatData.Add([1f, 2f, 3f]);
        Assert.Equal([1f, 2f, 3f], OnnxModelFile.ReadFloats(t));
        t.FloatData.Add(4f);
        Assert.Contains("holds 4 values", Assert.Throws<InvalidDataException>(() => OnnxModelFile.ReadFloats(t)).Message);
        t.DataType = (int)TensorProto.Types.DataType.Int64;
        Assert.Contains("expected FLOAT", Assert.Throws<InvalidDataException>(() => OnnxModelFile.ReadFloats(t, "file.onnx")).Message);
    }
}
