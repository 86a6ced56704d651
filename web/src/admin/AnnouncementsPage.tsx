import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ErrorMessage, Field } from '../common/errors';
import { useAdminT } from './messages';

/** Mail an announcement to everyone who accepts marketing mail. */
export default function AnnouncementsPage() {
  const t = useAdminT();
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [notice, setNotice] = useState('');
  const send = useMutation({
    mutationFn: () => unwrap(api.POST('/admin/announcements', { body: { subject: subject.trim(), text } })),
    onSuccess: (announcement) => {
      setNotice(t('announced', { subject: announcement.subject }));
      setSubject('');
      setText('');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice('');
    send.mutate();
  };
  return (
    <div className="stack">
      <h2>{t('announcements')}</h2>
      <form className="card announcement-form" onSubmit={submit} aria-labelledby="announcement-heading">
        <h3 id="announcement-heading">{t('newAnnouncement')}</h3>
        <p className="muted">{t('announcementHint')}</p>
        <Field
          label={t('subject')}
          name="subject"
          value={subject}
          onChange={setSubject}
          error={send.error}
          required
          maxLength={200}
        />
        <Field
          label={t('message')}
          name="text"
          value={text}
          onChange={setText}
          error={send.error}
          required
          multiline
          maxLength={20000}
        />
        <ErrorMessage error={send.error} />
        <p role="status" className="success">
          {notice}
        </p>
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? t('sending') : t('sendAnnouncement')}
        </button>
      </form>
    </div>
  );
}
