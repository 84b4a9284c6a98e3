package bot

import (
	"bytes"
	"encoding/xml"
	"testing"
	"time"
)

// flatXMLSamples are bodies in WeChat's shape and around it: what the fast
// reader takes must read as encoding/xml reads it, and what it gives up
// on still reads through encoding/xml.
var flatXMLSamples = []string{
	"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-1]]></FromUserName><CreateTime>1796674465</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[我的会议]]></Content><MsgId>6054783907428269169</MsgId></xml>",
	"<xml>\n  <ToUserName><![CDATA[gh_1]]></ToUserName>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n</xml>\n",
	"<xml><FromUserName>o-1</FromUserName><CreateTime> 12 </CreateTime><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>42</MsgID><Status>success</Status></xml>",
	"<xml><FromUserName><![CDATA[o-1]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a<b>&amp;c]]></Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>a &amp; b</Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>a\r\nb</Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[a\r\nb]]></Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><FromUserName>o-2</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
	"<xml><FromUserName a=\"1\">o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>x</CreateTime><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime></CreateTime><MsgType>text</MsgType><Content/></xml>",
	"<xml><Unknown><Inner>1</Inner></Unknown><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o-1</FromUserName><!-- <Content>x</Content> --><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
	"<?xml version=\"1.0\"?><xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>\x01</Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[\xff]]></Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>a]]>b</Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content><![CDATA[a]]><![CDATA[b]]></Content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime></xml><xml><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>99999999999999999999</CreateTime><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><content>lower</content></xml>",
	"<xml><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>open",
	"<other><FromUserName>o-1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></other>",
	"<xml><Encrypt><![CDATA[one]]></Encrypt><Encrypt><![CDATA[two]]></Encrypt></xml>",
	"<xml></xml>",
	"",
}

func TestFlatXMLReadsAsEncodingXML(t *testing.T) {
	fast := 0
	for _, s := range flatXMLSamples {
		if checkFlatXML(t, []byte(s)) {
			fast++
		}
	}
	if fast < 5 {
		t.Errorf("the fast reader took only %d of the samples", fast)
	}
}

func FuzzFlatXMLReadsAsEncodingXML(f *testing.F) {
	for _, s := range flatXMLSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFlatXML(t, b) })
}

// checkFlatXML compares the fast reader with encoding/xml on b and
// reports whether the fast reader took it.
func checkFlatXML(t *testing.T, b []byte) bool {
	t.Helper()
	in, ok := flatInbound(b)
	if ok {
		var want Inbound
		if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&want); err != nil {
			t.Fatalf("%q: the fast reader took what encoding/xml refuses (%v)", b, err)
		}
		if in != want {
			t.Fatalf("%q: read %+v, encoding/xml reads %+v", b, in, want)
		}
	}
	env, eok := flatEnvelope(b)
	if eok {
		var want envelope
		if err := xml.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: the fast reader took an envelope encoding/xml refuses (%v)", b, err)
		}
		if env != want {
			t.Fatalf("%q: read envelope %+v, encoding/xml reads %+v", b, env, want)
		}
	}
	return ok
}

// The sealed reply is byte for byte what xml.Marshal wrote.
func TestSealedXMLIsWhatXMLMarshalWrites(t *testing.T) {
	enc, sig, nonce := "q83vEjRWeJ+rze8SNFZ4mg==", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "1234567890"
	want, err := xml.Marshal(encryptedReply{Encrypt: cdata{enc}, MsgSignature: cdata{sig}, TimeStamp: 1796674465, Nonce: cdata{nonce}})
	if err != nil {
		t.Fatal(err)
	}
	if got := sealedXML(enc, sig, 1796674465, nonce); !bytes.Equal(got, want) {
		t.Fatalf("sealed\n%s\nwant\n%s", got, want)
	}
}

// The text reply is byte for byte what xml.Marshal writes, whatever the
// text holds: CDATA's end inside it, markup, nothing at all.
func FuzzTextReplyXMLIsWhatXMLMarshalWrites(f *testing.F) {
	for _, s := range []string{"已登记：您将参加“乡村振兴专题调研”。", "", "a]]>b", "]]>]]>", "<b>&amp;</b>", "]]", "x]]"} {
		f.Add("o-user", "gh_account", s, int64(1796674465))
	}
	f.Fuzz(func(t *testing.T, from, to, text string, ts int64) {
		want, err := xml.Marshal(textReply{ToUserName: cdata{from}, FromUserName: cdata{to},
			CreateTime: ts, MsgType: cdata{"text"}, Content: cdata{text}})
		if err != nil {
			t.Skip()
		}
		got := TextReplyXML(Inbound{FromUserName: from, ToUserName: to}, text, time.Unix(ts, 0))
		if !bytes.Equal(got, want) {
			t.Fatalf("reply\n%q\nwant\n%q", got, want)
		}
	})
}
