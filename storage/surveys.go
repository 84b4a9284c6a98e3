package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"deputybot/model"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

type surveyRow struct {
	ID        int64     `db:"id"`
	Title     string    `db:"title"`
	Intro     string    `db:"intro"`
	Anonymous bool      `db:"anonymous"`
	OpensAt   time.Time `db:"opens_at"`
	ClosesAt  time.Time `db:"closes_at"`
	CreatedAt time.Time `db:"created_at"`
	Responses int       `db:"responses"`
	Audience  string    `db:"audience"`
	RemindOn  string    `db:"remind_on"`
}

func (r surveyRow) survey() model.Survey {
	s := model.Survey{ID: r.ID, Title: r.Title, Intro: r.Intro, Anonymous: r.Anonymous, OpensAt: r.OpensAt.UTC(),
		ClosesAt: r.ClosesAt.UTC(), CreatedAt: r.CreatedAt.UTC(), Responses: r.Responses}
	if r.Audience != "" {
		_ = json.Unmarshal([]byte(r.Audience), &s.Audience) // written by CreateSurvey: valid
	}
	if r.RemindOn != "" {
		_ = json.Unmarshal([]byte(r.RemindOn), &s.RemindOn)
	}
	return s
}

// surveyJSON is the stored form of a survey's audience and reminder days.
func surveyJSON(s *model.Survey) (audience, remindOn string, err error) {
	a, err := json.Marshal(s.Audience)
	if err != nil {
		return "", "", err
	}
	days := s.RemindOn
	if days == nil {
		days = []string{}
	}
	r, err := json.Marshal(days)
	return string(a), string(r), err
}

const surveySelect = `SELECT s.id, s.title, s.intro, s.anonymous, s.opens_at, s.closes_at, s.created_at, s.audience, s.remind_on,
	(SELECT COUNT(*) FROM survey_participants p WHERE p.survey_id = s.id) AS responses
	FROM surveys s`

// CreateSurvey inserts s with its questions in one transaction, numbering
// the questions in order, and sets every ID.
//
// The announcements (the survey's notice to deputies when it opens) are
// created in the same transaction.
func (db *DB) CreateSurvey(ctx context.Context, s *model.Survey, announce ...model.Announcement) error {
	now := db.now().UTC()
	audience, remindOn, err := surveyJSON(s)
	if err != nil {
		return fmt.Errorf("storage: create survey: %w", err)
	}
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO surveys (title, intro, anonymous, opens_at, closes_at, created_at, audience, remind_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.Title, s.Intro, s.Anonymous, s.OpensAt.UTC(), s.ClosesAt.UTC(), now, audience, remindOn)
		if err != nil {
			return err
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i := range s.Questions {
			if err := insertQuestion(ctx, tx, s.ID, i+1, &s.Questions[i]); err != nil {
				return err
			}
		}
		if err := db.announce(ctx, tx, s.ID, announce); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: create survey: %w", err)
	}
	s.CreatedAt = now
	return nil
}

func insertQuestion(ctx context.Context, tx *sqlx.Tx, surveyID int64, pos int, q *model.SurveyQuestion) error {
	opts := q.Options
	if opts == nil {
		opts = []string{}
	}
	js, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO survey_questions (survey_id, position, kind, text, options, optional)
		VALUES (?, ?, ?, ?, ?, ?)`, surveyID, pos, q.Kind, q.Text, string(js), q.Optional)
	if err != nil {
		return err
	}
	if q.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	q.SurveyID, q.Position = surveyID, pos
	return nil
}

// GetSurvey returns the survey with id and its questions in order, or
// ErrNotFound.
func (db *DB) GetSurvey(ctx context.Context, id int64) (model.Survey, error) {
	var row surveyRow
	err := db.rq(ctx).GetContext(ctx, &row, surveySelect+` WHERE s.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Survey{}, fmt.Errorf("storage: survey %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return model.Survey{}, fmt.Errorf("storage: survey %d: %w", id, err)
	}
	s := row.survey()
	if s.Questions, err = db.surveyQuestions(ctx, id); err != nil {
		return model.Survey{}, err
	}
	return s, nil
}

type questionRow struct {
	ID       int64  `db:"id"`
	SurveyID int64  `db:"survey_id"`
	Position int    `db:"position"`
	Kind     string `db:"kind"`
	Text     string `db:"text"`
	Options  string `db:"options"`
	Optional bool   `db:"optional"`
}

func (db *DB) surveyQuestions(ctx context.Context, surveyID int64) ([]model.SurveyQuestion, error) {
	var rows []questionRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT id, survey_id, position, kind, text, options, optional
		FROM survey_questions WHERE survey_id = ? ORDER BY position`, surveyID); err != nil {
		return nil, fmt.Errorf("storage: survey %d questions: %w", surveyID, err)
	}
	out := make([]model.SurveyQuestion, len(rows))
	for i, r := range rows {
		out[i] = model.SurveyQuestion{ID: r.ID, SurveyID: r.SurveyID, Position: r.Position, Kind: r.Kind, Text: r.Text, Optional: r.Optional}
		if err := json.Unmarshal([]byte(r.Options), &out[i].Options); err != nil {
			return nil, fmt.Errorf("storage: survey question %d options: %w", r.ID, err)
		}
	}
	return out, nil
}

// ListSurveys returns every survey without its questions, the latest
// opening first.
func (db *DB) ListSurveys(ctx context.Context) ([]model.Survey, error) {
	return db.selectSurveys(ctx, surveySelect+` ORDER BY s.opens_at DESC, s.id DESC`)
}

// OpenSurveysFor returns the surveys open at now that the deputy has not
// answered yet, the one closing soonest first, without their questions.
func (db *DB) OpenSurveysFor(ctx context.Context, deputyID int64, now time.Time) ([]model.Survey, error) {
	return db.selectSurveys(ctx, surveySelect+` WHERE s.opens_at <= ? AND s.closes_at > ?
		AND NOT EXISTS (SELECT 1 FROM survey_participants p WHERE p.survey_id = s.id AND p.deputy_id = ?)
		ORDER BY s.closes_at, s.id`, now.UTC(), now.UTC(), deputyID)
}

func (db *DB) selectSurveys(ctx context.Context, q string, args ...any) ([]model.Survey, error) {
	var rows []surveyRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("storage: list surveys: %w", err)
	}
	out := make([]model.Survey, len(rows))
	for i, r := range rows {
		out[i] = r.survey()
	}
	return out, nil
}

// HasAnswered reports whether the deputy has responded to the survey.
func (db *DB) HasAnswered(ctx context.Context, surveyID, deputyID int64) (bool, error) {
	var n int
	if err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM survey_participants WHERE survey_id = ? AND deputy_id = ?`,
		surveyID, deputyID); err != nil {
		return false, fmt.Errorf("storage: has answered survey %d: %w", surveyID, err)
	}
	return n > 0, nil
}

// SurveyAnswersOf returns the deputy's named response to the survey, by
// question id; empty when there is none (an anonymous response has no
// deputy, so it is never found).
func (db *DB) SurveyAnswersOf(ctx context.Context, surveyID, deputyID int64) (map[int64]string, error) {
	var rows []struct {
		QuestionID int64  `db:"question_id"`
		Value      string `db:"value"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT a.question_id, a.value FROM survey_answers a
		JOIN survey_responses r ON r.id = a.response_id WHERE r.survey_id = ? AND r.deputy_id = ?`, surveyID, deputyID); err != nil {
		return nil, fmt.Errorf("storage: survey %d answers: %w", surveyID, err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.QuestionID] = r.Value
	}
	return out, nil
}

// SubmitSurveyResponse stores the deputy's answers to a survey in one
// transaction, while the survey is open by the database clock (else
// ErrSurveyClosed). Whether the survey is anonymous is read from the survey
// itself, in the same transaction, so no caller can store an identity an
// anonymous survey promised not to keep.
//
// Named survey: one response per deputy, replaced (revised) on each
// submission until the survey closes; revised reports a replacement.
//
// Anonymous survey: the response carries no deputy id, a random id and
// only the day it was sent, so neither a column, the id order nor a
// timestamp ties it to the participant row that records THAT the deputy
// answered. A second submission gives ErrAlreadyAnswered.
//
// Every answer must be to one of the survey's questions; checking the
// values is core's job.
func (db *DB) SubmitSurveyResponse(ctx context.Context, surveyID, deputyID int64, answers []model.SurveyAnswer) (revised bool, err error) {
	err = db.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		revised = false
		var s surveyRow
		err := tx.GetContext(ctx, &s, `SELECT id, anonymous, opens_at, closes_at FROM surveys WHERE id = ?`, surveyID)
		if errors.Is(err, sql.ErrNoRows) {
			return model.ErrNotFound
		}
		if err != nil {
			return err
		}
		now := db.now().UTC()
		if !s.survey().OpenAt(now) {
			return model.ErrSurveyClosed
		}
		if err := checkQuestionsOf(ctx, tx, surveyID, answers); err != nil {
			return err
		}
		var responseID int64
		if s.Anonymous {
			responseID, err = db.insertAnonymousResponse(ctx, tx, surveyID, deputyID, now)
		} else {
			responseID, revised, err = db.upsertNamedResponse(ctx, tx, surveyID, deputyID, now)
		}
		if err != nil {
			return err
		}
		for _, a := range answers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (response_id, question_id, value) VALUES (?, ?, ?)`,
				responseID, a.QuestionID, a.Value); err != nil {
				return err
			}
		}
		return nil
	})
	if isForeignKeyViolation(err) {
		err = model.ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("storage: submit survey %d response: %w", surveyID, err)
	}
	return revised, nil
}

func checkQuestionsOf(ctx context.Context, tx *sqlx.Tx, surveyID int64, answers []model.SurveyAnswer) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM survey_questions WHERE survey_id = ?`, surveyID); err != nil {
		return err
	}
	known := make(map[int64]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	seen := make(map[int64]bool, len(answers))
	for _, a := range answers {
		if !known[a.QuestionID] || seen[a.QuestionID] {
			return fmt.Errorf("question %d is not asked once in survey %d", a.QuestionID, surveyID)
		}
		seen[a.QuestionID] = true
	}
	return nil
}

// insertAnonymousResponse records the participant, then a response with no
// link to them. Both carry only the day, in China time.
func (db *DB) insertAnonymousResponse(ctx context.Context, tx *sqlx.Tx, surveyID, deputyID int64, now time.Time) (int64, error) {
	y, m, d := now.In(chinaTime).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, chinaTime).UTC()
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_participants (survey_id, deputy_id, answered_at) VALUES (?, ?, ?)`,
		surveyID, deputyID, day)
	if isDuplicate(err) {
		return 0, model.ErrAlreadyAnswered
	}
	if err != nil {
		return 0, err
	}
	id := randomResponseID()
	_, err = tx.ExecContext(ctx, `INSERT INTO survey_responses (id, survey_id, deputy_id, submitted_at, updated_at)
		VALUES (?, ?, NULL, ?, ?)`, id, surveyID, day, day)
	if isDuplicate(err) {
		return 0, errRetryTx
	}
	return id, err
}

// upsertNamedResponse returns the deputy's response, emptied of its
// answers, creating it (and the participant row) on the first submission.
func (db *DB) upsertNamedResponse(ctx context.Context, tx *sqlx.Tx, surveyID, deputyID int64, now time.Time) (int64, bool, error) {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM survey_responses WHERE survey_id = ? AND deputy_id = ?`, surveyID, deputyID)
	if err == nil {
		if _, err := tx.ExecContext(ctx, `UPDATE survey_responses SET updated_at = ? WHERE id = ?`, now, id); err != nil {
			return 0, false, err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM survey_answers WHERE response_id = ?`, id)
		return id, true, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	id = randomResponseID()
	_, err = tx.ExecContext(ctx, `INSERT INTO survey_responses (id, survey_id, deputy_id, submitted_at, updated_at)
		VALUES (?, ?, ?, ?, ?)`, id, surveyID, deputyID, now, now)
	if isDuplicate(err) {
		// A concurrent first submission by the same deputy, or a random id
		// collision: run again, and the next run sees which.
		return 0, false, errRetryTx
	}
	if err != nil {
		return 0, false, err
	}
	_, err = tx.ExecContext(ctx, db.insertIgnore()+` INTO survey_participants (survey_id, deputy_id, answered_at)
		VALUES (?, ?, ?)`, surveyID, deputyID, now)
	return id, false, err
}

// randomResponseID returns a random positive id below 2^53 (exact in
// JavaScript), so response ids carry no order.
func randomResponseID() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return int64(binary.BigEndian.Uint64(b[:])>>11) + 1
}

// SurveyResults returns per question the option counts, the score
// distribution and average, or the texts. ErrNotFound for a missing survey.
func (db *DB) SurveyResults(ctx context.Context, surveyID int64) (model.SurveyResults, error) {
	s, err := db.GetSurvey(ctx, surveyID)
	if err != nil {
		return model.SurveyResults{}, err
	}
	res := model.SurveyResults{Survey: s, Questions: make([]model.QuestionResult, len(s.Questions))}
	index := make(map[int64]*model.QuestionResult, len(s.Questions))
	for i, q := range s.Questions {
		res.Questions[i].Question = q
		switch q.Kind {
		case model.QuestionSingle, model.QuestionMulti:
			res.Questions[i].Counts = make([]int, len(q.Options))
		case model.QuestionScale:
			res.Questions[i].Counts = make([]int, 5)
		}
		index[q.ID] = &res.Questions[i]
	}
	if err := db.rq(ctx).GetContext(ctx, &res.Responses, `SELECT COUNT(*) FROM survey_responses WHERE survey_id = ?`, surveyID); err != nil {
		return model.SurveyResults{}, fmt.Errorf("storage: survey %d results: %w", surveyID, err)
	}
	var answers []struct {
		QuestionID int64  `db:"question_id"`
		Value      string `db:"value"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &answers, `SELECT a.question_id, a.value FROM survey_answers a
		JOIN survey_responses r ON r.id = a.response_id WHERE r.survey_id = ? ORDER BY a.response_id`, surveyID); err != nil {
		return model.SurveyResults{}, fmt.Errorf("storage: survey %d results: %w", surveyID, err)
	}
	for _, a := range answers {
		if qr := index[a.QuestionID]; qr != nil {
			addQuestionResult(qr, a.Value)
		}
	}
	for i := range res.Questions {
		finishQuestionResult(&res.Questions[i])
	}
	return res, nil
}

func addQuestionResult(qr *model.QuestionResult, value string) {
	qr.Answered++
	switch qr.Question.Kind {
	case model.QuestionText:
		qr.Texts = append(qr.Texts, value)
	case model.QuestionScale:
		if n, err := strconv.Atoi(value); err == nil && n >= 1 && n <= len(qr.Counts) {
			qr.Counts[n-1]++
		}
	default:
		for _, part := range strings.Split(value, ",") {
			if n, err := strconv.Atoi(part); err == nil && n >= 1 && n <= len(qr.Counts) {
				qr.Counts[n-1]++
			}
		}
	}
}

func finishQuestionResult(qr *model.QuestionResult) {
	if qr.Question.Kind != model.QuestionScale {
		return
	}
	sum, n := 0, 0
	for i, c := range qr.Counts {
		sum += (i + 1) * c
		n += c
	}
	if n > 0 {
		qr.Average = float64(sum) / float64(n)
	}
}

// SurveyInvitees returns the deputies in office the survey asks (its
// audience, as of now), by delegation and name, each with whether they
// answered and whether they are bound to WeChat.
func (db *DB) SurveyInvitees(ctx context.Context, s model.Survey) ([]model.SurveyInvitee, error) {
	where, args, err := whereAudience(s.AudienceOrAll())
	if err != nil {
		return nil, err
	}
	var out []model.SurveyInvitee
	err = db.rq(ctx).SelectContext(ctx, &out, `SELECT d.id, d.name, COALESCE(g.name, '') AS delegation,
		CASE WHEN d.openid IS NULL THEN 0 ELSE 1 END AS bound,
		CASE WHEN p.deputy_id IS NULL THEN 0 ELSE 1 END AS answered
		FROM deputies d LEFT JOIN delegations g ON g.id = d.delegation_id
		LEFT JOIN survey_participants p ON p.survey_id = ? AND p.deputy_id = d.id
		WHERE (`+where+`) AND d.status = ? ORDER BY COALESCE(g.name, ''), d.name, d.id`,
		append(append([]any{s.ID}, args...), model.StatusActive)...)
	if err != nil {
		return nil, fmt.Errorf("storage: survey %d invitees: %w", s.ID, err)
	}
	return out, nil
}

// InSurveyAudience reports whether the deputy is one the survey asks.
func (db *DB) InSurveyAudience(ctx context.Context, s model.Survey, deputyID int64) (bool, error) {
	where, args, err := whereAudience(s.AudienceOrAll())
	if err != nil {
		return false, err
	}
	var n int
	if err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM deputies d WHERE (`+where+`) AND d.id = ?`,
		append(args, deputyID)...); err != nil {
		return false, fmt.Errorf("storage: survey %d audience: %w", s.ID, err)
	}
	return n > 0, nil
}

// OpenSurveys returns the surveys open at now, without their questions.
func (db *DB) OpenSurveys(ctx context.Context, now time.Time) ([]model.Survey, error) {
	return db.selectSurveys(ctx, surveySelect+` WHERE s.opens_at <= ? AND s.closes_at > ? ORDER BY s.closes_at, s.id`, now.UTC(), now.UTC())
}

// SurveyResponseRows returns every response to the survey with its
// answers: a named response by delegation and name, an anonymous one
// without a deputy, in the (random) order of its id.
func (db *DB) SurveyResponseRows(ctx context.Context, surveyID int64) ([]model.SurveyResponseRow, error) {
	var heads []struct {
		ID          int64     `db:"id"`
		Name        string    `db:"name"`
		Delegation  string    `db:"delegation"`
		SubmittedAt time.Time `db:"submitted_at"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &heads, `SELECT r.id, COALESCE(d.name, '') AS name, COALESCE(g.name, '') AS delegation,
		r.updated_at AS submitted_at
		FROM survey_responses r LEFT JOIN deputies d ON d.id = r.deputy_id LEFT JOIN delegations g ON g.id = d.delegation_id
		WHERE r.survey_id = ? ORDER BY COALESCE(g.name, ''), COALESCE(d.name, ''), r.id`, surveyID); err != nil {
		return nil, fmt.Errorf("storage: survey %d responses: %w", surveyID, err)
	}
	var answers []struct {
		ResponseID int64  `db:"response_id"`
		QuestionID int64  `db:"question_id"`
		Value      string `db:"value"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &answers, `SELECT a.response_id, a.question_id, a.value FROM survey_answers a
		JOIN survey_responses r ON r.id = a.response_id WHERE r.survey_id = ?`, surveyID); err != nil {
		return nil, fmt.Errorf("storage: survey %d responses: %w", surveyID, err)
	}
	out := make([]model.SurveyResponseRow, len(heads))
	idx := make(map[int64]int, len(heads))
	for i, h := range heads {
		out[i] = model.SurveyResponseRow{ResponseID: h.ID, DeputyName: h.Name, Delegation: h.Delegation,
			SubmittedAt: h.SubmittedAt.UTC(), Answers: map[int64]string{}}
		idx[h.ID] = i
	}
	for _, a := range answers {
		if i, ok := idx[a.ResponseID]; ok {
			out[i].Answers[a.QuestionID] = a.Value
		}
	}
	return out, nil
}
