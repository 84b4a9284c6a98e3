package core_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"deputybot/core"
	"deputybot/model"
	"deputybot/storage"
	"deputybot/storage/storagetest"
	"deputybot/testkit"
)

func rowCount(t *testing.T, db *storage.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFilesAreCheckedByContentAndStoredOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		svc := core.New(db, core.Options{})
		staff := core.CLIActor(model.Account{}, "tester")
		pdf := core.SamplePDF("Budget law")
		// A PDF of several chunks: 3 MB of comment lines before its end.
		big := append(bytes.Clone(pdf[:len(pdf)-6]), bytes.Repeat([]byte("% padding line\n"), 3<<20/15)...)
		big = append(big, []byte("%%EOF\n")...)

		good := []struct {
			name, upload, want, ct string
			data                   []byte
		}{
			{"a PDF keeps its Chinese name", "C:\\材料\\预算法解读.pdf", "预算法解读.pdf", model.FilePDF, pdf},
			{"a Word document named .doc gets the .docx it is", "代表法.doc", "代表法.docx", model.FileDOCX, testkit.DOCX("代表法")},
			{"a picture without extension gets one", "照片", "照片.png", model.FilePNG, testkit.PNG()},
			{"a PDF larger than one chunk", "big.pdf", "big.pdf", model.FilePDF, big},
		}
		for _, tc := range good {
			t.Run(tc.name, func(t *testing.T) {
				f, err := svc.Files.Upload(ctx, staff, tc.upload, bytes.NewReader(tc.data))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(tc.data)
				if f.Name != tc.want || f.ContentType != tc.ct || f.Size != int64(len(tc.data)) || f.SHA256 != hex.EncodeToString(sum[:]) {
					t.Fatalf("stored %+v", f)
				}
				got, data, err := svc.Files.Open(ctx, staff, f.ID)
				if err != nil || !bytes.Equal(data, tc.data) || got.Name != tc.want {
					t.Fatalf("read back %+v, %d bytes, %v", got, len(data), err)
				}
			})
		}
		chunks := rowCount(t, db, "file_chunks")
		again, err := svc.Files.Upload(ctx, staff, "again.pdf", bytes.NewReader(big))
		if err != nil || rowCount(t, db, "file_chunks") != chunks {
			t.Fatalf("the same content uploaded again added chunks: %d → %d (%v)", chunks, rowCount(t, db, "file_chunks"), err)
		}
		if _, data, _ := svc.Files.Open(ctx, staff, again.ID); !bytes.Equal(data, big) {
			t.Fatal("the second upload reads back differently")
		}

		files := rowCount(t, db, "files")
		bad := []struct {
			name string
			data []byte
			msg  string
		}{
			{"an empty file", nil, "是空文件"},
			{"a text file named .pdf", []byte("just some text, not a PDF"), "类型不支持"},
			{"a program", append([]byte("MZ\x90\x00"), make([]byte, 100)...), "类型不支持"},
			{"a PDF cut short", pdf[:len(pdf)/2], "PDF 文件不完整或已损坏"},
			{"a ZIP that is no Word document", zipOf(t), "不是有效的 Word 文档"},
			{"a broken PNG", testkit.PNG()[:30], "图片已损坏"},
		}
		for _, tc := range bad {
			t.Run(tc.name+" is refused", func(t *testing.T) {
				_, err := svc.Files.Upload(ctx, staff, "x.pdf", bytes.NewReader(tc.data))
				fe, ok := core.Fields(err)
				if !ok || fe[0].Key != "file" || !contains(fe[0].Msg, tc.msg) {
					t.Fatalf("got %v, want a file error saying %q", err, tc.msg)
				}
			})
		}
		t.Run("over 20 MB is refused", func(t *testing.T) {
			huge := append(bytes.Clone(pdf), make([]byte, model.MaxFileSize)...)
			if _, err := svc.Files.Upload(ctx, staff, "huge.pdf", bytes.NewReader(huge)); !errors.Is(err, core.ErrFileTooLarge) {
				t.Fatalf("got %v", err)
			}
		})
		if n := rowCount(t, db, "files"); n != files {
			t.Fatalf("refused uploads stored files: %d → %d", files, n)
		}

		t.Run("a deputy cannot open a file no published material carries", func(t *testing.T) {
			d := model.Deputy{Name: "代表甲", Level: model.LevelProvincial}
			if err := db.CreateDeputy(ctx, &d); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.Files.Open(ctx, core.DeputyActor(d, core.ViaH5), again.ID); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("got %v", err)
			}
		})
		t.Run("a read-only account cannot upload", func(t *testing.T) {
			ro := core.StaffActor(model.Account{ID: 99, Role: model.RoleReadonly}, core.ViaAPI)
			if _, err := svc.Files.Upload(ctx, ro, "a.pdf", bytes.NewReader(pdf)); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func contains(s, sub string) bool { return bytes.Contains([]byte(s), []byte(sub)) }

func zipOf(t *testing.T) []byte {
	t.Helper()
	d := testkit.DOCX("x")
	// The same archive with its Word part renamed is a plain ZIP.
	return bytes.Replace(d, []byte("word/document.xml"), []byte("word/documenx.xml"), -1)
}
