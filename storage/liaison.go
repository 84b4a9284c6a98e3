package storage

import (
	"context"
	"database/sql"
	"deputybot/model"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// CreateCommitteeMember inserts m and sets its ID and CreatedAt.
func (db *DB) CreateCommitteeMember(ctx context.Context, m *model.CommitteeMember) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO committee_members (name, phone, title, created_at) VALUES (?, ?, ?, ?)`,
		m.Name, m.Phone, m.Title, now)
	if err != nil {
		return fmt.Errorf("storage: create committee member: %w", err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: create committee member: %w", err)
	}
	m.CreatedAt = now
	return nil
}

const memberSelect = `SELECT m.id, m.name, m.phone, m.title, m.created_at,
	(SELECT COUNT(*) FROM member_links l WHERE l.member_id = m.id) AS deputies,
	COALESCE(b.deputy_id, 0) AS deputy_id, COALESCE(md.name, '') AS deputy_name, COALESCE(md.openid, '') AS deputy_openid,
	COALESCE(b.openid, '') AS openid, b.bound_at
	FROM committee_members m LEFT JOIN member_bindings b ON b.member_id = m.id LEFT JOIN deputies md ON md.id = b.deputy_id`

// GetCommitteeMember returns the member with id, or ErrNotFound.
func (db *DB) GetCommitteeMember(ctx context.Context, id int64) (model.CommitteeMember, error) {
	var m model.CommitteeMember
	err := db.rq(ctx).GetContext(ctx, &m, memberSelect+` WHERE m.id = ?`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("storage: committee member %d: %w", id, model.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("storage: committee member %d: %w", id, err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}

// ListCommitteeMembers returns every member, by name then id.
func (db *DB) ListCommitteeMembers(ctx context.Context) ([]model.CommitteeMember, error) {
	var ms []model.CommitteeMember
	if err := db.rq(ctx).SelectContext(ctx, &ms, memberSelect+` ORDER BY m.name, m.id`); err != nil {
		return nil, fmt.Errorf("storage: list committee members: %w", err)
	}
	for i := range ms {
		ms[i].CreatedAt = ms[i].CreatedAt.UTC()
	}
	return ms, nil
}

// SetMemberLinks replaces the deputies linked to a member. A missing member
// or deputy gives ErrNotFound.
func (db *DB) SetMemberLinks(ctx context.Context, memberID int64, deputyIDs []int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var one int
		if err := tx.GetContext(ctx, &one, `SELECT 1 FROM committee_members WHERE id = ?`, memberID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_links WHERE member_id = ?`, memberID); err != nil {
			return err
		}
		for _, id := range deputyIDs {
			if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO member_links (member_id, deputy_id) VALUES (?, ?)`,
				memberID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, sql.ErrNoRows) || isForeignKeyViolation(err) {
		return fmt.Errorf("storage: link member %d: %w", memberID, model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: link member %d: %w", memberID, err)
	}
	return nil
}

// MemberDeputyIDs returns the ids of the deputies linked to a member.
func (db *DB) MemberDeputyIDs(ctx context.Context, memberID int64) ([]int64, error) {
	var ids []int64
	if err := db.rq(ctx).SelectContext(ctx, &ids, `SELECT deputy_id FROM member_links WHERE member_id = ? ORDER BY deputy_id`,
		memberID); err != nil {
		return nil, fmt.Errorf("storage: member %d deputies: %w", memberID, err)
	}
	return ids, nil
}

// AddMemberContact stores c and sets its ID and CreatedAt. A missing member
// or deputy gives ErrNotFound.
func (db *DB) AddMemberContact(ctx context.Context, c *model.MemberContact) error {
	now := db.now().UTC()
	res, err := db.wq(ctx).ExecContext(ctx, `INSERT INTO member_contacts (member_id, deputy_id, kind, on_date, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.MemberID, c.DeputyID, c.Kind, dateOnly(&c.OnDate), c.Note, now)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("storage: member contact: %w", model.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("storage: member contact: %w", err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("storage: member contact: %w", err)
	}
	c.CreatedAt = now
	return nil
}

// MemberContacts returns a member's contacts, the latest first.
func (db *DB) MemberContacts(ctx context.Context, memberID int64) ([]model.MemberContact, error) {
	var cs []model.MemberContact
	if err := db.rq(ctx).SelectContext(ctx, &cs, `SELECT c.id, c.member_id, c.deputy_id, COALESCE(d.name, '') AS deputy_name,
		c.kind, c.on_date, c.note, c.created_at FROM member_contacts c LEFT JOIN deputies d ON d.id = c.deputy_id
		WHERE c.member_id = ? ORDER BY c.on_date DESC, c.id DESC`, memberID); err != nil {
		return nil, fmt.Errorf("storage: member %d contacts: %w", memberID, err)
	}
	for i := range cs {
		cs[i].OnDate, cs[i].CreatedAt = cs[i].OnDate.UTC(), cs[i].CreatedAt.UTC()
	}
	return cs, nil
}

// MemberDigest returns, for each deputy linked to a member (by name), the
// digest's figures at now: new means created at or after since; contacts
// count from yearStart.
func (db *DB) MemberDigest(ctx context.Context, memberID int64, now, since, yearStart time.Time) ([]model.DigestRow, error) {
	var rows []model.DigestRow
	err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT d.id AS deputy_id, d.name, COALESCE(g.name, '') AS delegation,
		(SELECT COUNT(*) FROM invitations i JOIN meetings mt ON mt.id = i.meeting_id
			WHERE i.deputy_id = d.id AND i.status = 'pending' AND mt.rsvp_deadline > ?) AS open_rsvps,
		(SELECT COUNT(*) FROM suggestion_deputies sd JOIN suggestions s ON s.id = sd.suggestion_id
			WHERE sd.deputy_id = d.id AND s.replied_at IS NOT NULL AND NOT EXISTS
			(SELECT 1 FROM suggestion_ratings r WHERE r.suggestion_id = s.id AND r.deputy_id = d.id)) AS unrated_replies,
		(SELECT COUNT(*) FROM opinions o WHERE o.deputy_id = d.id AND o.created_at >= ?) AS new_opinions,
		(SELECT COUNT(*) FROM suggestion_deputies sd JOIN suggestions s ON s.id = sd.suggestion_id
			WHERE sd.deputy_id = d.id AND s.created_at >= ? AND `+inHandling+`) AS new_suggestions,
		(SELECT COUNT(*) FROM member_contacts c WHERE c.member_id = l.member_id AND c.deputy_id = d.id
			AND c.on_date >= ?) AS contacts_year
		FROM member_links l JOIN deputies d ON d.id = l.deputy_id
		LEFT JOIN delegations g ON g.id = d.delegation_id WHERE l.member_id = ? ORDER BY d.name, d.id`,
		now.UTC(), since.UTC(), since.UTC(), dateOnly(&yearStart), memberID)
	if err != nil {
		return nil, fmt.Errorf("storage: member %d digest: %w", memberID, err)
	}
	return rows, nil
}
